package io.dhamana.dsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens one physical connection. Production uses pgjdbc's driver directly (never {@link java.sql.DriverManager},
 * where AWS's connector, if present, throws for URLs that are not its own); tests substitute an opener that points
 * the same properties at a local server.
 */
@FunctionalInterface
interface ConnectionOpener {

    /** Opens a connection to {@code url} with {@code properties} (which hold the password: never log them). */
    Connection open(String url, Properties properties) throws SQLException;

    /** pgjdbc's driver, loaded only when used. */
    static ConnectionOpener pgjdbc() {
        return Pgjdbc::open;
    }

    /** Holds the driver, so a store given the caller's data sources never loads pgjdbc. */
    final class Pgjdbc {
        private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

        private Pgjdbc() {}

        static Connection open(String url, Properties properties) throws SQLException {
            return DRIVER.connect(url, properties);
        }

        /** Whether this pgjdbc understands {@code sslNegotiation} (42.7.4 and newer). */
        static boolean supportsDirectTls() {
            return org.postgresql.PGProperty.forName("sslNegotiation") != null;
        }
    }
}
