package io.dhamana.jmh;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading pgbench's summary (PostgreSQL 15 format) and its per-transaction latencies. */
class PgbenchBaselineTest {

    private static final String OUTPUT = """
            pgbench (15.18 (Debian 15.18-0+deb12u1), server 14.22)
            transaction type: /tmp/work/ga-hold.sql
            scaling factor: 1
            query mode: prepared
            number of clients: 4
            number of threads: 2
            maximum number of tries: unlimited
            duration: 3 s
            number of transactions actually processed: 3531
            number of failed transactions: 0 (0.000%)
            number of transactions retried: 1668 (47.239%)
            total number of retries: 9963
            latency average = 3.380 ms
            latency stddev = 5.061 ms
            initial connection time = 6.053 ms
            tps = 1176.141809 (without initial connection time)
            """;

    @Test
    void readsTheSummary() {
        Map<String, Double> s = PgbenchBaseline.summary(OUTPUT);
        assertThat(s).containsEntry("tps", 1176.141809).containsEntry("transactions", 3531.0)
                .containsEntry("failed", 0.0).containsEntry("retried", 1668.0).containsEntry("retries", 9963.0)
                .containsEntry("latencyAverageMs", 3.38);
    }

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        long[] micros = new long[1000];
        for (int i = 0; i < micros.length; i++) {
            micros[i] = (i + 1) * 10L; // 10 us .. 10 ms
        }
        Map<String, Double> p = PgbenchBaseline.percentiles(micros);
        assertThat(p).containsEntry("50.0", 5.0).containsEntry("99.0", 9.9).containsEntry("100.0", 10.0);
        assertThat(PgbenchBaseline.percentiles(new long[0])).isEmpty();
    }

    @Test
    void buyerPoolsKeepEveryBuyerFarBelowTheCap() {
        for (int clients : new int[]{1, 4, 16, 64}) {
            long perBuyer = PgbenchBaseline.CAPACITY / ((long) clients * PgbenchBaseline.pool(clients));
            assertThat(perBuyer).isLessThanOrEqualTo(io.dhamana.Limits.MAX_PER_BUYER_CAP / 2);
        }
    }
}
