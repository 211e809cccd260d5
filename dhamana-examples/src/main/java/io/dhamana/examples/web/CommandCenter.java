package io.dhamana.examples.web;

import com.sun.net.httpserver.HttpServer;
import io.dhamana.examples.support.Args;
import io.dhamana.examples.support.Cli;
import io.dhamana.examples.support.ExampleStores;
import io.dhamana.spi.TicketStore;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The on-sale command center: a web page over the SDK where a person can watch fairness being enforced. It shows
 * an 8 x 12 seat map to buy from, lets you fire a stampede of up to 60 buyers from two regions at one seat (guarded
 * by the SDK, or the naive count-then-insert foil), runs a general-admission drop with a live holds-per-second
 * chart over 1 to 64 stock buckets, lists tickets for resale under a price cap the store enforces, and proves it
 * all with an audit read from committed rows.
 *
 * <p>Served by the JDK's own {@link HttpServer} (no framework); the page is plain HTML, CSS and JavaScript from
 * the class path and works offline. It listens on localhost unless told otherwise.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.web.CommandCenter
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.web.CommandCenter \
 *     -Dexec.args="--port 8080 --jdbc-url jdbc:postgresql://localhost:5432/dhamana --user u --password p"
 * </pre>
 */
public final class CommandCenter implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final OnSale onSale;
    private final URI uri;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CommandCenter(HttpServer server, ExecutorService executor, OnSale onSale, URI uri) {
        this.server = server;
        this.executor = executor;
        this.onSale = onSale;
        this.uri = uri;
    }

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "CommandCenter [--port 8080] [--host 127.0.0.1]", CommandCenter::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws Exception {
        int port = args.integer("port", 8080);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be from 0 to 65535, was " + port);
        }
        TicketStore store = ExampleStores.open(args);
        CommandCenter center;
        try {
            center = start(store, args.string("host", "127.0.0.1"), port);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            center.close();
            store.close();
            stopped.countDown();
        }, "command-center-shutdown"));
        System.out.println("Dhamana on-sale command center on " + store.description());
        System.out.println("Open " + center.uri() + "  (Ctrl-C to stop)");
        if (!InetAddress.getByName(args.string("host", "127.0.0.1")).isLoopbackAddress()) {
            System.out.println("Warning: listening beyond localhost; anyone who can reach this address can use "
                    + "the page.");
        }
        stopped.await();
        return true;
    }

    /**
     * Starts the server on {@code host:port} (port 0 picks a free one) over {@code store}, which the caller keeps
     * and closes after closing the command center.
     */
    public static CommandCenter start(TicketStore store, String host, int port) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        OnSale onSale = new OnSale(store);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
            AtomicInteger n = new AtomicInteger();
            ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r, "command-center-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.createContext("/", new Api(onSale, address.isLoopbackAddress()));
            server.setExecutor(executor);
            server.start();
            String shown = address.getHostAddress();
            if (shown.contains(":")) {
                shown = "[" + shown + "]";
            }
            return new CommandCenter(server, executor, onSale, URI.create(
                    "http://" + shown + ":" + server.getAddress().getPort() + "/"));
        } catch (IOException | RuntimeException e) {
            onSale.close();
            throw e;
        }
    }

    /** Where the page is, for example {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        return uri;
    }

    /** Stops serving, stops a running drop and closes the SDK client; the store stays open. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onSale.close();
    }
}
