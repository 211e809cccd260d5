/**
 * Dhamana: fair-drop ticketing whose rules the database guarantees at commit.
 *
 * <p>{@code io.dhamana} is the client API, {@code io.dhamana.spi} the store contract, and {@code io.dhamana.engine},
 * {@code io.dhamana.postgres} and {@code io.dhamana.dsql} the three stores. The JDBC driver, HikariCP and the AWS
 * SDK are needed only by the stores that use them. {@code io.dhamana.micrometer} binds a client's metrics to a
 * Micrometer registry and needs Micrometer only when used. Every call is also recorded as JDK Flight Recorder events
 * ({@code io.dhamana.Call}, {@code io.dhamana.Attempt}) whenever a recording runs.
 */
module io.dhamana {
    requires transitive java.sql;
    requires org.slf4j;
    requires com.github.f4b6a3.uuid;
    requires jdk.jfr;
    requires static micrometer.core;
    requires static com.zaxxer.hikari;
    requires static org.postgresql.jdbc;
    requires static software.amazon.awssdk.services.dsql;
    requires static software.amazon.awssdk.auth;
    requires static software.amazon.awssdk.regions;
    requires static software.amazon.awssdk.identity.spi;

    exports io.dhamana;
    exports io.dhamana.spi;
    exports io.dhamana.engine;
    exports io.dhamana.postgres;
    exports io.dhamana.dsql;
    exports io.dhamana.micrometer;
}
