package io.dhamana;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The records the client hands back accept every value a store can hold, including the edges, and refuse the rest
 * ({@link BadInputTest} lists the refusals). The audit must be able to report a broken store, so its two signed
 * figures accept negative values.
 */
class DomainRecordsTest {
    private static final EventId SHOW = EventId.of("show");
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final BuyerId FAN = BuyerId.of("fan");

    @Test
    void theEdgesOfEachRangeAreAccepted() {
        assertThat(new Event(SHOW, "show", Limits.MAX_PER_BUYER_CAP, 0, List.of()).resaleCapBps()).isZero();
        assertThat(new Section(FLOOR, SectionKind.GENERAL_ADMISSION, 1, 1, 0).capacity()).isEqualTo(1);
        assertThat(new Section(FLOOR, SectionKind.GENERAL_ADMISSION, Limits.MAX_SECTION_CAPACITY, Limits.MAX_BUCKETS,
                Limits.MAX_PRICE_MINOR).buckets()).isEqualTo(Limits.MAX_BUCKETS);
        assertThat(new Verification(SHOW, FAN, VerificationStatus.REVOKED, URI.create("https://id.example/f"), 0, 1)
                .used()).isZero();
        assertThat(new Rejection.SoldOut(SHOW, FLOOR, Limits.MAX_UNITS_PER_HOLD, 0).unitsLeft()).isZero();
        assertThat(new Rejection.CapReached(SHOW, FAN, 1, 1, 1).message()).contains("already has 1 of 1");
    }

    @Test
    void anAuditOfABrokenStoreMayShowNegativeStockAndMoney() {
        AuditReport broken = new AuditReport(10, -2, 12, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, -500, 1, 0, 12, 0, 0,
                List.of(new AuditReport.SectionAudit(SHOW, FLOOR, SectionKind.GENERAL_ADMISSION, 10, -2, 12, 0, 2, 1,
                        0)), List.of());
        assertThat(broken.remaining()).isEqualTo(-2);
        assertThat(broken.moneyImbalanceMinor()).isEqualTo(-500);
        assertThat(broken.isClean()).isFalse();
    }

    @Test
    void aRefusedCallbackLeavesTheStatsAsTheyWere() {
        OperationStats stats = new OperationStats();
        stats.onAttempt(Operation.HOLD, 1);
        stats.onSuccess(Operation.HOLD, 1, 1_000);
        OperationStats.Snapshot before = stats.snapshot(Operation.HOLD);
        assertThatThrownBy(() -> stats.onSuccess(Operation.HOLD, 1, -1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> stats.onFailure(Operation.HOLD, new RuntimeException(), 0, 1))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> stats.onConflict(Operation.HOLD, 0, null)).isInstanceOf(InvalidRequestException.class);
        assertThat(stats.snapshot(Operation.HOLD)).isEqualTo(before);
        assertThat(before.calls()).isEqualTo(1);
        assertThat(before.totalLatencyNanos()).isEqualTo(1_000);
    }
}
