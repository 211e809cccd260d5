package io.dhamana.testkit.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on loopback that puts a network between a client and a server: it delays every byte by half the
 * configured round-trip time in each direction, counts the client's round trips, and can cut the link.
 *
 * <p>A <em>round trip</em> is one exchange in which the client sent something and then heard back: bytes from the
 * client open a turn, and the first answer delivered to the client after them closes it. Whatever the client sends
 * before the answer reaches it (a pipeline, one flush split over several packets) belongs to the same turn. Take the
 * count before and after a call to see how many times that call waited on the network. The count is exact as long
 * as the proxy's threads are not delayed by a whole round trip, so count with a delay of a few milliseconds.
 *
 * <p>{@linkplain #blackHole(boolean) Black-holing} keeps every socket open and forwards nothing: what is sent waits,
 * as it would in the retransmission queue of a partitioned network, and new connections are accepted but not
 * carried on. Restoring the link delivers what waited, in order; {@link #dropConnections()} instead resets every
 * connection, as a network that gave up would.
 *
 * <p>Both ends are on loopback: the proxy listens on 127.0.0.1 and refuses a target that is not a loopback address.
 * Each connection costs four threads (a reader and a writer each way), which suits the hundreds of connections of a
 * benchmark. Thread-safe; settings take effect for bytes read after the change.
 */
public final class LatencyProxy implements Closeable {
    private static final Pattern JDBC_HOST_PORT = Pattern.compile("^jdbc:postgresql://([^:/?]+):(\\d+)");

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object gate = new Object(); // guards blackHoled for waiters
    private volatile long oneWayNanos;
    private volatile boolean blackHoled;
    private volatile boolean closed;

    private LatencyProxy(InetSocketAddress target, Duration roundTrip) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        roundTrip(roundTrip);
        this.acceptor = new Thread(this::acceptLoop, "latency-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a proxy to {@code targetPort} on 127.0.0.1 with no added delay.
     *
     * @throws UncheckedIOException if no loopback port could be bound
     */
    public static LatencyProxy to(int targetPort) {
        return to(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), Duration.ZERO);
    }

    /**
     * Starts a proxy to {@code target}, adding {@code roundTrip} to every exchange.
     *
     * @throws IllegalArgumentException if the target is not a loopback address or the round trip is negative
     * @throws UncheckedIOException     if no loopback port could be bound
     */
    public static LatencyProxy to(InetSocketAddress target, Duration roundTrip) {
        if (target == null || target.getAddress() == null || !target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the latency proxy only carries loopback traffic; target: " + target);
        }
        try {
            return new LatencyProxy(target, roundTrip);
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on a loopback port", e);
        }
    }

    /**
     * Starts a proxy in front of the server a PostgreSQL JDBC URL names ({@code jdbc:postgresql://host:port/...},
     * host on loopback).
     *
     * @throws IllegalArgumentException if the URL names no host and port, or a host off loopback
     */
    public static LatencyProxy forJdbcUrl(String jdbcUrl, Duration roundTrip) {
        Matcher m = JDBC_HOST_PORT.matcher(jdbcUrl == null ? "" : jdbcUrl);
        if (!m.find()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host:port/ URL");
        }
        InetSocketAddress target;
        try {
            target = new InetSocketAddress(InetAddress.getByName(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve the URL's host " + m.group(1), e);
        }
        return to(target, roundTrip);
    }

    /** {@code jdbcUrl} with its host and port replaced by this proxy's. */
    public String jdbcUrl(String jdbcUrl) {
        Matcher m = JDBC_HOST_PORT.matcher(jdbcUrl);
        if (!m.find()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host:port/ URL");
        }
        return jdbcUrl.substring(0, m.start(1)) + host() + ":" + port() + jdbcUrl.substring(m.end(2));
    }

    /** The loopback host clients connect to: {@code 127.0.0.1}. */
    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Sets the round-trip time added to every exchange: half of it on the way out, half on the way back. */
    public void roundTrip(Duration roundTrip) {
        if (roundTrip == null || roundTrip.isNegative()) {
            throw new IllegalArgumentException("roundTrip must be zero or positive, got " + roundTrip);
        }
        this.oneWayNanos = roundTrip.toNanos() / 2;
    }

    /** The round-trip time added to every exchange. */
    public Duration roundTrip() {
        return Duration.ofNanos(oneWayNanos * 2);
    }

    /** Round trips completed through this proxy so far, over all connections. */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /** Bytes carried from clients to the server so far. */
    public long bytesUp() {
        return bytesUp.sum();
    }

    /** Bytes carried from the server to clients so far. */
    public long bytesDown() {
        return bytesDown.sum();
    }

    /** Connections open now. */
    public int openConnections() {
        return links.size();
    }

    /** Connections accepted since the proxy started. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Cuts ({@code true}) or restores ({@code false}) the link. While cut, sockets stay open and nothing is
     * forwarded either way; on restore, what waited is delivered in order.
     */
    public void blackHole(boolean cut) {
        synchronized (gate) {
            blackHoled = cut;
            gate.notifyAll();
        }
    }

    /** Whether the link is cut. */
    public boolean blackHoled() {
        return blackHoled;
    }

    /** Resets every open connection (the client sees its socket closed); new connections are still accepted. */
    public void dropConnections() {
        for (Link l : links) {
            l.close();
        }
    }

    /** Stops accepting and closes every connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listening socket has nothing useful to report
        }
        dropConnections();
        blackHole(false); // wakes anything still waiting on the gate
    }

    @Override
    public String toString() {
        return "LatencyProxy[" + host() + ":" + port() + " -> " + target + ", rtt " + roundTrip().toNanos() / 1e6
                + " ms" + (blackHoled ? ", cut" : "") + "]";
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            accepted.incrementAndGet();
            Thread opener = new Thread(() -> open(client), "latency-proxy-open");
            opener.setDaemon(true);
            opener.start();
        }
    }

    /** Connects upstream once the link is up (a cut link leaves the client waiting, as a dropped SYN would). */
    private void open(Socket client) {
        Socket server = null;
        try {
            client.setTcpNoDelay(true);
            awaitLink();
            if (closed) {
                client.close();
                return;
            }
            server = new Socket();
            server.setTcpNoDelay(true);
            server.connect(target, 10_000);
            Link link = new Link(client, server);
            links.add(link);
            if (closed) {
                link.close();
                return;
            }
            link.start();
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
            closeQuietly(server);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitLink() throws InterruptedException {
        synchronized (gate) {
            while (blackHoled && !closed) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** One client connection and its upstream connection. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        /** Whether the client has spoken since the server last answered. */
        private final AtomicBoolean clientTurn = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Pipe up;
        private final Pipe down;

        Link(Socket client, Socket server) throws IOException {
            this.client = client;
            this.server = server;
            int id = accepted.get();
            this.up = new Pipe("up-" + id, client.getInputStream(), server.getOutputStream(), true);
            this.down = new Pipe("down-" + id, server.getInputStream(), client.getOutputStream(), false);
        }

        void start() {
            up.start();
            down.start();
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                links.remove(this);
                closeQuietly(client);
                closeQuietly(server);
                up.stop();
                down.stop();
            }
        }

        /** Bytes read from the client open a turn (or extend the open one). */
        void sawBytes(boolean fromClient, int bytes) {
            if (fromClient) {
                bytesUp.add(bytes);
                clientTurn.set(true);
            } else {
                bytesDown.add(bytes);
            }
        }

        /**
         * The first answer handed to the client after it spoke closes its turn. Counting at delivery rather than
         * when the server's bytes are read keeps a pipeline one turn even when a reader runs late, unless it runs a
         * whole round trip late.
         */
        void delivered(boolean toClient) {
            if (toClient && clientTurn.getAndSet(false)) {
                roundTrips.increment();
            }
        }

        /** One direction: a reader stamps each chunk with when it may arrive; a writer delivers it then. */
        private final class Pipe {
            private final InputStream in;
            private final OutputStream out;
            private final boolean fromClient;
            private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
            private final Thread reader;
            private final Thread writer;
            private long lastDue;
            private boolean ended;

            Pipe(String name, InputStream in, OutputStream out, boolean fromClient) {
                this.in = in;
                this.out = out;
                this.fromClient = fromClient;
                this.reader = new Thread(this::read, "latency-proxy-read-" + name);
                this.writer = new Thread(this::write, "latency-proxy-write-" + name);
                reader.setDaemon(true);
                writer.setDaemon(true);
            }

            void start() {
                reader.start();
                writer.start();
            }

            void stop() {
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }

            private void read() {
                byte[] buffer = new byte[64 * 1024];
                try {
                    while (true) {
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        sawBytes(fromClient, n);
                        byte[] bytes = new byte[n];
                        System.arraycopy(buffer, 0, bytes, 0, n);
                        synchronized (this) {
                            // Constant delay keeps order; a delay lowered mid-stream must not overtake bytes before.
                            long due = Math.max(lastDue, System.nanoTime() + oneWayNanos);
                            lastDue = due;
                            queue.add(new Chunk(due, bytes));
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the socket closed or was reset: the link ends
                }
                stop();
            }

            private void write() {
                try {
                    while (true) {
                        Chunk c;
                        synchronized (this) {
                            while (queue.isEmpty() && !ended) {
                                wait();
                            }
                            if (queue.isEmpty()) {
                                break; // ended and drained
                            }
                            c = queue.poll();
                        }
                        long wait;
                        while ((wait = c.due() - System.nanoTime()) > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        awaitLink();
                        if (LatencyProxy.this.closed) {
                            break;
                        }
                        delivered(!fromClient); // before the write: the client may act on the bytes at once
                        out.write(c.bytes());
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
                Link.this.close();
            }
        }
    }

    private record Chunk(long due, byte[] bytes) {}
}
