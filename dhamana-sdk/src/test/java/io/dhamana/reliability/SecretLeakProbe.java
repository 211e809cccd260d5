package io.dhamana.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.TicketingClient;
import io.dhamana.dsql.DsqlStore;
import io.dhamana.postgres.PostgresStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Duration;

/**
 * The child process of {@link SecretsTest}: builds stores with a recognisable secret as password, in every way a
 * caller might (right, wrong, in the URL, towards an unreachable or unresolvable host, in a malformed URL), makes
 * them fail, and prints everything a caller or an operator could see: each failure's full stack trace (message,
 * causes and suppressed failures, all the way down), {@code toString()} and {@code description()}. It runs with
 * every logger at its most verbose, so the SDK's, the pool's and the driver's log lines are printed too. The parent
 * scans all of it for the secret.
 *
 * <p>Then Aurora DSQL stores, whose connections authenticate with IAM tokens signed by an AWS secret key, towards
 * endpoints that cannot be resolved or refuse connections: the key, its id and the token's signature must not show.
 *
 * <p>Arguments: the secret, the right password, the JDBC URL of a server that checks passwords, the role, an AWS
 * access key id and an AWS secret key.
 */
public final class SecretLeakProbe {
    private SecretLeakProbe() {}

    public static void main(String[] args) {
        String secret = args[0];
        String right = args[1];
        String url = args[2];
        String role = args[3];
        String portless = url.substring(0, url.lastIndexOf(':')) + ":1/postgres";

        scenario("wrong password", () -> PostgresStore.builder().jdbcUrl(url).user(role).password(secret)
                .maxPoolSize(1).build());
        scenario("wrong password in the URL", () -> PostgresStore.builder().jdbcUrl(url + "?password=" + secret)
                .user(role).maxPoolSize(1).build());
        scenario("unreachable host", () -> PostgresStore.builder()
                .jdbcUrl(portless + "?connectTimeout=2").user(role).password(secret).maxPoolSize(1).build());
        scenario("unreachable host, password in the URL", () -> PostgresStore.builder()
                .jdbcUrl(portless + "?connectTimeout=2&password=" + secret).user(role).maxPoolSize(1).build());
        scenario("unresolvable host", () -> PostgresStore.builder()
                .jdbcUrl("jdbc:postgresql://no-such-host.invalid:5432/tickets?connectTimeout=2")
                .user(role).password(secret).maxPoolSize(1).build());
        scenario("credentials before the host", () -> PostgresStore.builder()
                .jdbcUrl("jdbc:postgresql://" + role + ":" + secret + "@localhost:5432/tickets").build());
        scenario("malformed URL with a password", () -> PostgresStore.builder()
                .jdbcUrl("jdbc:postgresql://localhost:port/tickets?password=" + secret).build());
        scenario("another database's URL with a password", () -> PostgresStore.builder()
                .jdbcUrl("jdbc:mysql://localhost/tickets?user=" + role + "&password=" + secret).build());
        scenario("a caller's pool with a wrong password", () -> {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(role);
            config.setPassword(secret);
            config.setInitializationFailTimeout(-1); // start without connecting: the store's build meets the failure
            config.setConnectionTimeout(1_000);
            HikariDataSource pool = new HikariDataSource(config);
            try {
                return PostgresStore.builder().dataSource(pool).build();
            } finally {
                pool.close();
            }
        });
        scenario("the right password", () -> {
            try (PostgresStore store = PostgresStore.builder().jdbcUrl(url).user(role).password(right)
                    .maxPoolSize(2).build();
                 TicketingClient client = TicketingClient.builder().store(store).name("secrets")
                         .expirySweepInterval(Duration.ofMillis(200)).build()) {
                client.createEvent(EventSpec.builder(EventId.of("secrets")).generalAdmission("ga", 2, 1, 1).build());
                System.out.println("store: " + store + " / " + store.description());
                System.out.println("client: " + client + " / " + client.config());
                Thread.sleep(500); // a few background sweeps, logged at trace
                return store;
            }
        });
        scenario("the right password in the URL", () -> {
            try (PostgresStore store = PostgresStore.builder().jdbcUrl(url + "?password=" + right).user(role)
                    .maxPoolSize(1).build()) {
                System.out.println("store: " + store + " / " + store.description());
                return store;
            }
        });

        // Aurora DSQL: the AWS secret key signs an IAM token per connection; neither may show anywhere.
        String awsKeyId = args[4];
        String awsSecret = args[5];
        StaticCredentialsProvider aws = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(awsKeyId, awsSecret));
        scenario("dsql unresolvable endpoint", () -> DsqlStore.builder()
                .endpoint("nosuchcluster0000000000000001.dsql.us-east-1.on.aws", "us-east-1")
                .credentialsProvider(aws).connectionTimeout(Duration.ofMillis(500)).maxPoolSize(1).build());
        scenario("dsql endpoint refusing connections", () -> DsqlStore.builder().endpoint("127.0.0.1", "us-east-1")
                .credentialsProvider(aws).connectionTimeout(Duration.ofMillis(500)).maxPoolSize(1).build());
        scenario("dsql two regions, both unreachable", () -> DsqlStore.builder()
                .endpoint("nosuchcluster0000000000000002.dsql.us-east-1.on.aws", "us-east-1")
                .endpoint("nosuchcluster0000000000000003.dsql.us-east-2.on.aws", "us-east-2")
                .credentialsProvider(aws).connectionTimeout(Duration.ofMillis(500)).maxPoolSize(1).build());
        System.out.println("PROBE DONE");
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    private static void scenario(String name, Attempt attempt) {
        System.out.println("SCENARIO " + name);
        try {
            Object result = attempt.run();
            System.out.println("SCENARIO " + name + " built: " + result);
        } catch (Throwable t) {
            System.out.println("SCENARIO " + name + " threw " + t.getClass().getName());
            System.out.println("toString: " + t);
            t.printStackTrace(System.out); // message, causes and suppressed failures, recursively
        }
        System.out.flush();
    }
}
