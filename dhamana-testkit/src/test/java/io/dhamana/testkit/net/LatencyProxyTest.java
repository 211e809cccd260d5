package io.dhamana.testkit.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxy against an echo server: delay both ways, round trips counted by turns, a cut link that heals. */
class LatencyProxyTest {
    private ServerSocket echo;
    private Thread echoThread;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> pump(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
    }

    private static void pump(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] b = new byte[1024];
            int n;
            while ((n = in.read(b)) >= 0) {
                out.write(b, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // client went away
        }
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    private static byte[] exchange(Socket s, byte[] request) throws IOException {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        byte[] answer = new byte[request.length];
        new DataInputStream(s.getInputStream()).readFully(answer);
        return answer;
    }

    @Test
    void eachExchangeIsOneRoundTripAndTakesAtLeastTheConfiguredTime() throws IOException {
        try (LatencyProxy proxy = LatencyProxy.to(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                echo.getLocalPort()), Duration.ofMillis(20));
             Socket s = new Socket(proxy.host(), proxy.port())) {
            exchange(s, "warm".getBytes()); // the first exchange also waits for the upstream connect
            long before = proxy.roundTrips();
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(exchange(s, ("ping" + i).getBytes())).isEqualTo(("ping" + i).getBytes());
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(proxy.roundTrips() - before).isEqualTo(5);
            assertThat(elapsedMillis).as("five exchanges at 20 ms each").isGreaterThanOrEqualTo(5 * 20);
        }
    }

    @Test
    void whatTheClientSendsBeforeTheAnswerIsOneTurn() throws IOException {
        try (LatencyProxy proxy = LatencyProxy.to(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                echo.getLocalPort()), Duration.ofMillis(10));
             Socket s = new Socket(proxy.host(), proxy.port())) {
            s.setTcpNoDelay(true); // else Nagle holds the later writes until the first is acknowledged: two turns
            exchange(s, "warm".getBytes());
            long before = proxy.roundTrips();
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 4; i++) { // four writes without waiting: a pipeline
                out.write(("p" + i).getBytes());
                out.flush();
            }
            byte[] all = new byte[8];
            new DataInputStream(s.getInputStream()).readFully(all);
            assertThat(new String(all)).isEqualTo("p0p1p2p3");
            assertThat(proxy.roundTrips() - before).isEqualTo(1);
        }
    }

    @Test
    void aCutLinkForwardsNothingAndDeliversWhatWaitedWhenRestored() throws IOException {
        try (LatencyProxy proxy = LatencyProxy.to(echo.getLocalPort());
             Socket s = new Socket(proxy.host(), proxy.port())) {
            exchange(s, "warm".getBytes());
            proxy.blackHole(true);
            s.setSoTimeout(300);
            s.getOutputStream().write("lost?".getBytes());
            s.getOutputStream().flush();
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(s.isClosed()).isFalse();
            proxy.blackHole(false);
            s.setSoTimeout(5_000);
            byte[] answer = new byte[5];
            new DataInputStream(s.getInputStream()).readFully(answer);
            assertThat(new String(answer)).isEqualTo("lost?");
        }
    }

    @Test
    void droppingConnectionsClosesThemForTheClient() throws IOException {
        try (LatencyProxy proxy = LatencyProxy.to(echo.getLocalPort());
             Socket s = new Socket(proxy.host(), proxy.port())) {
            exchange(s, "warm".getBytes());
            proxy.dropConnections();
            s.setSoTimeout(5_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void refusesATargetOffLoopbackAndANegativeDelay() throws IOException {
        assertThatThrownBy(() -> LatencyProxy.to(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 5432),
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
        try (LatencyProxy proxy = LatencyProxy.to(echo.getLocalPort())) {
            assertThatThrownBy(() -> proxy.roundTrip(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(proxy.roundTrip()).isEqualTo(Duration.ZERO);
        }
    }
}
