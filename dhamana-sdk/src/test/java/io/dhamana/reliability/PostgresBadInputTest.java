package io.dhamana.reliability;

import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.BadInputTest;
import io.dhamana.StoreException;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;

import java.util.ArrayList;
import java.util.List;

/**
 * The bad-input table of {@link BadInputTest}, every public call against every class of invalid argument, on a real
 * PostgreSQL server: each must end in a typed error and leave every row exactly as it was (a full dump of the
 * store before and after). Adds {@link PostgresStore#builder()}: null, blank, oversized and malformed URLs, users,
 * passwords, schemas, pool sizes and isolation levels, and contradictory settings, each refused with a typed error
 * before any connection is made (or, for a schema that is missing and may not be installed, a permanent store
 * error); a URL that may carry a password is never echoed.
 */
class PostgresBadInputTest extends BadInputTest {
    private static final String SCHEMA = "bad_input";
    private static final String SECRET = "Sw0rdfish-in-url";

    @Override
    protected TicketStore newStore() {
        PostgresServer.freshSchema(SCHEMA);
        return PostgresServer.store(SCHEMA, PostgresIsolation.SERIALIZABLE).maxPoolSize(4).build();
    }

    @Override
    protected List<Case> storeCases() {
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        List<Case> c = new ArrayList<>();
        c.add(invalid("postgres builder: null URL", "jdbcUrl must not be null",
                () -> PostgresStore.builder().jdbcUrl(null)));
        c.add(invalid("postgres builder: blank URL", "jdbcUrl must start with jdbc:postgresql:",
                () -> PostgresStore.builder().jdbcUrl(" ")));
        c.add(invalid("postgres builder: another database's URL, not echoed", "jdbcUrl must start with",
                () -> PostgresStore.builder().jdbcUrl("jdbc:mysql://db/x?password=" + SECRET)));
        c.add(invalid("postgres builder: a URL without the jdbc prefix", "jdbcUrl must start with",
                () -> PostgresStore.builder().jdbcUrl("postgresql://db/x")));
        c.add(invalid("postgres builder: a URL the driver cannot parse, not echoed", "jdbcUrl",
                () -> PostgresStore.builder().jdbcUrl("jdbc:postgresql://db:port/x?password=" + SECRET)
                        .build()));
        c.add(invalid("postgres builder: credentials before the host, not echoed", "jdbcUrl",
                () -> PostgresStore.builder().jdbcUrl("jdbc:postgresql://app:" + SECRET + "@db:5432/x")
                        .build()));
        c.add(invalid("postgres builder: a password in the URL and another given", "password is given twice",
                () -> PostgresStore.builder().jdbcUrl(e.jdbcUrl() + "?password=" + SECRET).user(e.user())
                        .password("other").build()));
        c.add(invalid("postgres builder: null user", "user must not be null", () -> PostgresStore.builder().user(null)));
        c.add(invalid("postgres builder: blank user", "user must not be blank", () -> PostgresStore.builder().user(" ")));
        c.add(invalid("postgres builder: oversized user", "user must be at most 63",
                () -> PostgresStore.builder().user("u".repeat(64))));
        c.add(invalid("postgres builder: user with a control character", "control",
                () -> PostgresStore.builder().user("app\u0000")));
        c.add(invalid("postgres builder: null password", "password must not be null",
                () -> PostgresStore.builder().password(null)));
        c.add(invalid("postgres builder: null data source", "dataSource must not be null",
                () -> PostgresStore.builder().dataSource(null)));
        c.add(invalid("postgres builder: null isolation", "isolation must not be null",
                () -> PostgresStore.builder().isolation(null)));
        for (String schema : new String[] {"", "Dhamana", "1st", "a-b", "a b", "s".repeat(64), "ß",
                "x; DROP SCHEMA public CASCADE", "\"quoted\"", "public.x"}) {
            c.add(invalid("postgres builder: schema '" + schema + "'", "schema must match",
                    () -> PostgresStore.builder().schema(schema)));
        }
        c.add(invalid("postgres builder: null schema", "schema must not be null",
                () -> PostgresStore.builder().schema(null)));
        for (int size : new int[] {0, -1, 1_001}) {
            c.add(invalid("postgres builder: pool of " + size, "maxPoolSize must be between 1 and 1000",
                    () -> PostgresStore.builder().maxPoolSize(size)));
        }
        c.add(invalid("postgres builder: neither URL nor data source", "jdbcUrl or dataSource must be set",
                () -> PostgresStore.builder().build()));
        c.add(invalid("postgres builder: both URL and data source", "must not be combined",
                () -> PostgresStore.builder().jdbcUrl(e.jdbcUrl()).dataSource(new HikariDataSource()).build()));
        c.add(invalid("postgres builder: a data source with a user", "user applies only with jdbcUrl",
                () -> PostgresStore.builder().dataSource(new HikariDataSource()).user("app").build()));
        c.add(invalid("postgres builder: a data source with a password", "password applies only with jdbcUrl",
                () -> PostgresStore.builder().dataSource(new HikariDataSource()).password("x").build()));
        c.add(invalid("postgres builder: a data source with a pool size", "maxPoolSize applies only with jdbcUrl",
                () -> PostgresStore.builder().dataSource(new HikariDataSource()).maxPoolSize(4).build()));
        c.add(invalid("postgres builder: a data source with a connection timeout",
                "connectionTimeout applies only with jdbcUrl", () -> PostgresStore.builder()
                        .dataSource(new HikariDataSource()).connectionTimeout(java.time.Duration.ofSeconds(1)).build()));
        c.add(invalid("postgres builder: a connection timeout of zero", "connectionTimeout must be between",
                () -> PostgresStore.builder().connectionTimeout(java.time.Duration.ZERO)));
        c.add(failing("postgres builder: a missing schema that may not be installed", StoreException.class,
                "is not installed", () -> PostgresServer.store("bad_input_missing", PostgresIsolation.SERIALIZABLE)
                .maxPoolSize(1).installSchema(false).build()));
        return c;
    }
}
