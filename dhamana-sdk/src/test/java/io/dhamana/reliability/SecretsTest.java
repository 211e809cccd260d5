package io.dhamana.reliability;

import io.dhamana.testkit.RestartablePostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passwords never show: not in exception messages, causes, suppressed failures, {@code toString()} or
 * {@code description()}, and not in any log line, of the SDK, of HikariCP or of the JDBC driver, at any level.
 *
 * <p>A server of the test's own checks passwords ({@code scram-sha-256}). A child JVM ({@link SecretLeakProbe})
 * builds PostgreSQL stores with a recognisable secret: as a wrong password, inside the URL, towards an unreachable
 * port and an unresolvable host, inside malformed URLs and before the host, in a caller's own pool, and finally as
 * the right password (stores built, clients running, background sweeps logging). The child runs with SLF4J at
 * {@code trace} and java.util.logging (pgjdbc's) at {@code ALL}, and prints every failure's full stack trace. Its
 * whole output, logs included, must not contain the secret or the right password, in plain or URL-encoded form.
 * A child process is used because log levels are fixed when loggers are first made, which in this JVM happened long
 * before.
 *
 * <p>The same child then builds Aurora DSQL stores whose IAM tokens are signed with a recognisable AWS key, towards
 * endpoints that cannot be resolved or refuse connections: neither the key, nor its id, nor a token's signature or
 * credential scope may show. One exception is the AWS SDK's own logging of what it signs (its
 * {@code software.amazon.awssdk.auth.signer} logger at DEBUG, {@code software.amazon.awssdk.utils.uri} at TRACE),
 * which no caller of the AWS SDK can prevent: those two loggers are kept at INFO and DEBUG here, and the reliability
 * guide says to keep them there in production.
 */
class SecretsTest {
    @Test
    void noSecretAppearsInAnyMessageDescriptionOrLogLine() throws Exception {
        String secret = "Sekr1t-" + UUID.randomUUID().toString().replace("-", "");
        String right = "R1ght-" + UUID.randomUUID().toString().replace("-", "");
        String role = "leak_probe";
        String awsKeyId = "AKIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        String awsSecret = "aws" + UUID.randomUUID().toString().replace("-", "") + "SeCrEt";
        Path dir = Files.createTempDirectory("dhamana-secrets-");
        try (RestartablePostgres server = RestartablePostgres.start()) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + right + "'");
                st.execute("GRANT CREATE ON DATABASE postgres TO " + role);
            }
            server.requirePasswords();

            Path julConfig = dir.resolve("logging.properties");
            Files.writeString(julConfig, String.join("\n",
                    "handlers=java.util.logging.ConsoleHandler",
                    ".level=ALL",
                    "java.util.logging.ConsoleHandler.level=ALL",
                    "org.postgresql.level=ALL", ""));
            Path output = dir.resolve("probe.out");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                    "-Dorg.slf4j.simpleLogger.log.com.zaxxer.hikari.pool.ProxyConnection=trace",
                    // The AWS SDK itself prints the signing material of every IAM token it makes: the canonical
                    // request (with the access key id) at DEBUG, the whole presigned token at TRACE. Nothing the
                    // store does can stop that, so these two loggers stay below those levels here, and the guides
                    // tell operators to do the same (docs/reliability.md).
                    "-Dorg.slf4j.simpleLogger.log.software.amazon.awssdk.auth.signer=info",
                    "-Dorg.slf4j.simpleLogger.log.software.amazon.awssdk.utils.uri=debug",
                    "-Djava.util.logging.config.file=" + julConfig,
                    SecretLeakProbe.class.getName(), secret, right, server.jdbcUrl(), role, awsKeyId, awsSecret));
            Process probe = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            assertThat(probe.waitFor(5, TimeUnit.MINUTES)).as("the probe finished").isTrue();
            String seen = Files.readString(output, StandardCharsets.UTF_8);
            List<String> lines = seen.lines().toList();

            assertThat(probe.exitValue()).as(tail(lines)).isZero();
            assertThat(seen).as("the probe ran to the end").contains("PROBE DONE");
            // Each failing scenario failed, and the right password really connected and logged at trace level.
            assertThat(seen).contains("SCENARIO wrong password threw io.dhamana.StoreException")
                    .contains("SCENARIO unreachable host threw io.dhamana.StoreException")
                    .contains("SCENARIO unresolvable host threw io.dhamana.StoreException")
                    .contains("SCENARIO credentials before the host threw io.dhamana.InvalidRequestException")
                    .contains("SCENARIO malformed URL with a password threw io.dhamana.InvalidRequestException")
                    .contains("SCENARIO the right password built:")
                    .contains("SCENARIO dsql unresolvable endpoint threw io.dhamana.StoreException")
                    .contains("SCENARIO dsql endpoint refusing connections threw io.dhamana.StoreException")
                    .contains("password authentication failed")
                    .contains(" DEBUG ").contains("FINE");
            long logLines = lines.stream().filter(l -> l.contains(" DEBUG ") || l.contains(" TRACE ")
                    || l.contains("FINE")).count();
            System.out.printf("[secrets] %d lines of output (%d of them debug or finer) from %d scenarios;"
                    + " secret found %d times%n", lines.size(), logLines,
                    lines.stream().filter(l -> l.startsWith("SCENARIO ") && !l.contains(" threw ")
                            && !l.contains(" built")).count(),
                    lines.stream().filter(l -> shows(l, secret, right, awsKeyId, awsSecret)).count());
            for (String line : lines) {
                assertThat(shows(line, secret, right, awsKeyId, awsSecret)).as("a line shows a secret:%n%s", line)
                        .isFalse();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary files only
            }
        }
    }

    private static boolean shows(String line, String secret, String right, String awsKeyId, String awsSecret) {
        return leaks(line, secret) || leaks(line, right) || leaks(line, awsSecret)
                || line.contains(awsKeyId) || line.contains("X-Amz-Signature") || line.contains("X-Amz-Credential");
    }

    /** The secret, or its distinctive middle, plain or URL-encoded, in any case. */
    private static boolean leaks(String line, String secret) {
        String l = line.toLowerCase(Locale.ROOT);
        String s = secret.toLowerCase(Locale.ROOT);
        return l.contains(s) || l.contains(s.substring(7)) || l.contains(s.replace("-", "%2d"));
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
