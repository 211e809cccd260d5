package io.dhamana.dsql;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real Aurora DSQL cluster the live tests run against, named by environment variables. Without them each live
 * test is skipped with {@link #HOW_TO} ({@link Condition}); a malformed value fails instead, so a typo never passes for "skipped".
 * The cluster is never cleaned up by the tests: each test makes events with unique ids in its own schema.
 */
final class DsqlLiveCluster {
    static final String ENDPOINTS = "DHAMANA_DSQL_ENDPOINTS";
    static final String USER = "DHAMANA_DSQL_USER";
    static final String SCHEMA = "DHAMANA_DSQL_SCHEMA";

    static final String HOW_TO = "Live Aurora DSQL tests skipped. To run them, set " + ENDPOINTS
            + "=host@region[,host@region] (for example abc123.dsql.us-east-1.on.aws@us-east-1,"
            + "def456.dsql.us-east-2.on.aws@us-east-2) and AWS credentials allowed dsql:DbConnectAdmin on the cluster"
            + " (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or AWS_PROFILE, or any source of the"
            + " default credentials chain). Optional: " + USER + "=<role> (default admin; another role needs"
            + " dsql:DbConnect and AWS IAM GRANT), " + SCHEMA + "=<schema> (default dhamana_test). Then run: mvn -pl"
            + " dhamana-sdk test -Dtest='DsqlLive*'";

    /** One endpoint as given. */
    record Endpoint(String host, String region) {}

    private static final AtomicBoolean TOLD = new AtomicBoolean();

    private DsqlLiveCluster() {}

    /** The endpoints from {@value #ENDPOINTS}; empty when unset. */
    static List<Endpoint> endpoints() {
        String value = System.getenv(ENDPOINTS);
        List<Endpoint> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String part : value.split(",")) {
            String p = part.strip();
            int at = p.lastIndexOf('@');
            if (at <= 0 || at == p.length() - 1) {
                throw new IllegalArgumentException(ENDPOINTS + " must be host@region[,host@region], for example"
                        + " abc123.dsql.us-east-1.on.aws@us-east-1; found the entry '" + p + "'");
            }
            out.add(new Endpoint(p.substring(0, at), p.substring(at + 1)));
        }
        return out;
    }

    /** Whether a cluster and credentials are configured; says why not, once per run, when they are not. */
    static boolean configured() {
        String why = null;
        if (endpoints().isEmpty()) {
            why = HOW_TO;
        } else {
            try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
                chain.resolveCredentials();
            } catch (RuntimeException e) {
                why = "No AWS credentials could be resolved (" + e.getClass().getSimpleName() + "). " + HOW_TO;
            }
        }
        if (why != null && TOLD.compareAndSet(false, true)) {
            System.err.println("[dhamana tests] " + why);
        }
        return why == null;
    }

    /**
     * Disables each test of a live class, saying exactly what to set, unless a cluster and credentials are
     * configured. Judged per test (the class itself stays enabled), so every test is reported as skipped with the
     * reason, and no set-up runs for a skipped test.
     */
    static final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("judged per test");
            }
            if (configured()) {
                return ConditionEvaluationResult.enabled("a DSQL cluster is configured");
            }
            return ConditionEvaluationResult.disabled(endpoints().isEmpty() ? HOW_TO
                    : "No AWS credentials could be resolved. " + HOW_TO);
        }
    }

    /** A store builder on the configured cluster: every endpoint, the configured role and schema. */
    static DsqlStore.Builder builder() {
        DsqlStore.Builder b = DsqlStore.builder();
        for (Endpoint e : endpoints()) {
            b.endpoint(e.host(), e.region());
        }
        String user = System.getenv(USER);
        if (user != null && !user.isBlank()) {
            b.user(user.strip());
        }
        String schema = System.getenv(SCHEMA);
        return b.schema(schema == null || schema.isBlank() ? "dhamana_test" : schema.strip());
    }
}
