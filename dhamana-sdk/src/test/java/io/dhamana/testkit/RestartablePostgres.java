package io.dhamana.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own (zonky's embedded PostgreSQL binaries), on a data directory and port that
 * survive restarts, so a test can stop the server under running clients and start it again: cleanly (a fast
 * shutdown: sessions are terminated, the server checkpoints) or by crashing it ({@code SIGKILL} of the postmaster,
 * then crash recovery from the write-ahead log). It runs with {@code synchronous_commit=on} and {@code fsync=on},
 * so a commit the server acknowledged must survive either. Dedicated, so restarting it disturbs no other test; it
 * needs no Docker and works whatever server {@link PostgresServer} found.
 */
public final class RestartablePostgres implements AutoCloseable {
    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres server;

    private RestartablePostgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /** Creates a data directory, picks a free port and starts the server. */
    public static RestartablePostgres start() throws IOException {
        Path dir = Files.createTempDirectory("dhamana-restartable-pg-");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        RestartablePostgres pg = new RestartablePostgres(dir, port);
        pg.server = pg.boot();
        return pg;
    }

    private EmbeddedPostgres boot() throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false) // a restart finds its data and skips initdb
                .setPort(port)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("max_connections", "100")
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofMinutes(1)) // crash recovery on a loaded machine takes a while
                .start();
    }

    /** {@code jdbc:postgresql://localhost:<port>/postgres}; the role is {@code postgres}, no password. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    /** A plain connection (autocommit on). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    /**
     * From now on, every role but {@code postgres} must give its password ({@code scram-sha-256}) over TCP; the
     * server reloads its configuration at once.
     */
    public void requirePasswords() throws IOException, SQLException {
        Files.writeString(dataDirectory.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256", ""), StandardCharsets.UTF_8);
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
    }

    /** Stops the server with a fast shutdown (sessions terminated, a checkpoint written) and starts it again. */
    public synchronized void restart() throws IOException {
        server.close();
        server = boot();
    }

    /**
     * Kills the postmaster with {@code SIGKILL} (its backends exit when they notice), waits until every process of
     * the server is gone, then starts it again: the server recovers from its write-ahead log.
     */
    public synchronized void crashAndRestart() throws IOException {
        long pid = postmasterPid();
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(
                () -> new IllegalStateException("postmaster " + pid + " is not running"));
        var children = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        waitGone(postmaster);
        children.forEach(RestartablePostgres::waitGone);
        // zonky's handle to the old server only holds its lock file now: let go of it without stopping anything.
        try {
            server.close();
        } catch (IOException | RuntimeException ignored) {
            // "could not stop postmaster": it is already gone, which is the point
        }
        server = boot();
    }

    private long postmasterPid() throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip();
        return Long.parseLong(first);
    }

    private static void waitGone(ProcessHandle p) {
        try {
            p.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("process " + p.pid() + " did not exit", e);
        }
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public synchronized void close() throws IOException {
        try {
            Optional.ofNullable(server).ifPresent(s -> {
                try {
                    s.close();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
