package io.dhamana.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Kills the SDK's PostgreSQL connections for real, continuously, from a side connection: every few hundred
 * milliseconds it picks one backend of the pools the SDK built ({@code application_name = 'dhamana'}), preferring
 * one in the middle of a transaction or a statement (which includes its COMMIT), and ends it with
 * {@code pg_terminate_backend}. Nothing is simulated: the clients meet the errors the server really sends. Backends
 * that existed before {@link #start()} (other tests' pools) are left alone.
 */
public final class BackendKiller implements AutoCloseable {
    private final String url;
    private final String user;
    private final String password;
    private final SplittableRandom random;
    private final long minPauseNanos;
    private final long maxPauseNanos;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong kills = new AtomicLong();
    private final AtomicLong killsInTransaction = new AtomicLong();
    private final Set<Integer> spared = ConcurrentHashMap.newKeySet();
    private Thread thread;
    private volatile Throwable failure;

    /**
     * @param pauseMillisMin shortest pause between two kills
     * @param pauseMillisMax longest pause between two kills
     */
    public BackendKiller(String url, String user, String password, long seed, long pauseMillisMin,
                         long pauseMillisMax) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.random = new SplittableRandom(seed);
        this.minPauseNanos = pauseMillisMin * 1_000_000L;
        this.maxPauseNanos = pauseMillisMax * 1_000_000L;
    }

    /** A killer on the test server. */
    public static BackendKiller onTestServer(long seed, long pauseMillisMin, long pauseMillisMax) {
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        return new BackendKiller(e.jdbcUrl(), e.user(), e.password(), seed, pauseMillisMin, pauseMillisMax);
    }

    /**
     * Spares every SDK backend open now (other tests' pools): call it before building the stores to be attacked,
     * whose connections are opened later.
     */
    public BackendKiller spareCurrentBackends() {
        try (Connection c = connect()) {
            spared.addAll(backends(c).stream().map(Backend::pid).toList());
        } catch (SQLException e) {
            throw new IllegalStateException("could not list backends: " + e.getMessage(), e);
        }
        return this;
    }

    /** Starts killing backends not spared. */
    public BackendKiller start() {
        running.set(true);
        thread = new Thread(this::loop, "backend-killer");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private record Backend(int pid, String state) {}

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private List<Backend> backends(Connection c) throws SQLException {
        List<Backend> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pid, state FROM pg_stat_activity"
                + " WHERE application_name = 'dhamana' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Backend(rs.getInt(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    private void loop() {
        Connection side = null;
        while (running.get()) {
            long pause;
            synchronized (random) {
                pause = minPauseNanos + (maxPauseNanos > minPauseNanos
                        ? random.nextLong(maxPauseNanos - minPauseNanos) : 0);
            }
            long until = System.nanoTime() + pause;
            for (long left = pause; left > 0 && running.get(); left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            if (!running.get()) {
                break;
            }
            try {
                if (side == null || side.isClosed()) {
                    side = connect();
                }
                killOne(side);
            } catch (SQLException e) {
                // The server may be restarting under another test's hands; try again after the next pause.
                closeQuietly(side);
                side = null;
            } catch (RuntimeException | Error e) {
                failure = e;
                break;
            }
        }
        closeQuietly(side);
    }

    /** Kills one SDK backend now, if there is one not spared; returns whether it did. Thread-safe. */
    public boolean killOne() {
        try (Connection side = connect()) {
            return killOne(side);
        } catch (SQLException e) {
            return false; // the server is away; nothing to kill
        }
    }

    private boolean killOne(Connection side) throws SQLException {
        List<Backend> all = backends(side).stream().filter(b -> !spared.contains(b.pid())).toList();
        if (all.isEmpty()) {
            return false;
        }
        // Mostly backends at work (mid-transaction, mid-statement, in COMMIT); sometimes idle ones.
        List<Backend> busy = all.stream().filter(b -> !"idle".equals(b.state())).toList();
        Backend victim;
        synchronized (random) {
            boolean pickBusy = !busy.isEmpty() && random.nextInt(4) != 0;
            victim = pickBusy ? busy.get(random.nextInt(busy.size())) : all.get(random.nextInt(all.size()));
        }
        if (!terminate(side, victim.pid())) {
            return false;
        }
        kills.incrementAndGet();
        if (!"idle".equals(victim.state())) {
            killsInTransaction.incrementAndGet();
        }
        return true;
    }

    /**
     * Kills the one SDK backend (not spared) that is idle inside a transaction, and returns once the server has let
     * it go: for a test that opens a transaction, kills its backend and then sends the next statement. Fails if
     * there is not exactly one such backend.
     */
    public void killTheBackendInTransaction() {
        try (Connection side = connect()) {
            List<Backend> open = backends(side).stream()
                    .filter(b -> !spared.contains(b.pid()) && "idle in transaction".equals(b.state())).toList();
            if (open.size() != 1) {
                throw new IllegalStateException("expected one SDK backend idle in a transaction, found " + open);
            }
            int pid = open.get(0).pid();
            if (!terminate(side, pid)) {
                throw new IllegalStateException("backend " + pid + " was not terminated");
            }
            kills.incrementAndGet();
            killsInTransaction.incrementAndGet();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (backends(side).stream().anyMatch(b -> b.pid() == pid)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("backend " + pid + " still there 5 s after its termination");
                }
                LockSupport.parkNanos(10_000_000L);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not kill the backend in a transaction: " + e.getMessage(), e);
        }
    }

    private static boolean terminate(Connection side, int pid) throws SQLException {
        try (PreparedStatement ps = side.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing to do
            }
        }
    }

    /** Backends terminated so far. */
    public long kills() {
        return kills.get();
    }

    /** Of those, the ones caught inside a transaction or a statement. */
    public long killsInTransaction() {
        return killsInTransaction.get();
    }

    /** Stops killing and waits for the thread; rethrows what broke it, if anything. */
    @Override
    public void close() {
        running.set(false);
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure != null) {
            throw new IllegalStateException("the backend killer failed", failure);
        }
    }
}
