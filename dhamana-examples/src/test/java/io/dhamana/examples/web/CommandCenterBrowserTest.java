package io.dhamana.examples.web;

import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Drives the command center in headless Chromium: buys a seat, runs Break it guarded and naive, lists a ticket
 * above the resale cap, runs a short GA drop, and saves a screenshot of the page to
 * {@code dhamana-examples/target/command-center.png}. Waits only for page state, never for time.
 *
 * <p>Needs Chromium and its driver ({@code apt-get install -y chromium chromium-driver} on Debian); without them the
 * test is skipped. The paths can be overridden with {@code -Ddhamana.chromium=...} and
 * {@code -Ddhamana.chromedriver=...}. Selenium Manager is never asked to download anything: the driver path is set.
 */
class CommandCenterBrowserTest {
    /** Selenium warns that it has no DevTools bindings for this Chromium; this test does not use DevTools. */
    private static final Logger CDP_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");
    private static final String INSTALL_HINT = "install Chromium and its driver to run this test, e.g. "
            + "'apt-get install -y chromium chromium-driver' on Debian/Ubuntu";

    private EngineStore store;
    private CommandCenter center;
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void start(@TempDir Path profile) throws Exception {
        Path chromium = Paths.get(System.getProperty("dhamana.chromium", "/usr/bin/chromium"));
        Path chromedriver = Paths.get(System.getProperty("dhamana.chromedriver", "/usr/bin/chromedriver"));
        assumeTrue(Files.isExecutable(chromium), "no browser at " + chromium + ": " + INSTALL_HINT);
        assumeTrue(Files.isExecutable(chromedriver), "no driver at " + chromedriver + ": " + INSTALL_HINT);

        CDP_LOG.setLevel(Level.SEVERE);
        store = EngineStore.create();
        center = CommandCenter.start(store, "127.0.0.1", 0);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=1400,2000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 2000));
        wait = new WebDriverWait(driver, Duration.ofSeconds(90));
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (center != null) {
            center.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void buyBreakItResaleAndDropInARealBrowser() throws Exception {
        driver.get(center.uri().toString());
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#seat-map button.seat"), 96));

        // Buy B-4: a confirmation code appears and the ticket shows under "My tickets" with the same code.
        driver.findElement(By.cssSelector("button.seat[data-seat='B-4']")).click();
        WebElement code = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirmation-code")));
        String confirmation = code.getText();
        assertThat(confirmation).isNotBlank();
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#my-tickets tr[data-seat='B-4']")));
        assertThat(row.getText()).contains("B-4").contains(confirmation);
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("button.seat[data-seat='B-4']"), "data-state",
                "MINE"));

        // Break it, guarded: exactly one buyer holds the seat.
        new Select(driver.findElement(By.id("bk-seat"))).selectByValue("D-6");
        WebElement buyers = driver.findElement(By.id("bk-buyers"));
        buyers.clear();
        buyers.sendKeys("60");
        driver.findElement(By.id("bk-guarded")).click();
        WebElement guarded = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("guarded-holders")));
        assertThat(guarded.getText()).isEqualTo("1");
        assertThat(driver.findElement(By.id("guarded-winner")).getText()).startsWith("Winner: bk");

        // Break it, naive: several people "hold" the one seat, counted from committed rows.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("bk-naive"))).click();
        WebElement oversold = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("naive-oversold")));
        assertThat(Integer.parseInt(oversold.getText())).isPositive();
        assertThat(driver.findElement(By.id("naive-damage")).getText()).startsWith("$");
        assertThat(driver.findElements(By.cssSelector("#bk-result-naive .mini-seat.contested"))).hasSize(1);

        // The real floor is untouched by either stampede: its audit stays clean.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("proof-verdict"), "Clean"));
        assertThat(driver.findElement(By.id("proof-oversold")).getText()).isEqualTo("0");

        // Resale above the cap: the store refuses it at commit and the page says why.
        setRange("resale-ask", 200);
        driver.findElement(By.id("resale-list")).click();
        WebElement outcome = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("resale-result")));
        wait.until(ExpectedConditions.textToBePresentInElement(outcome, "ASK_ABOVE_CAP"));
        assertThat(outcome.getText()).contains("Refused by the store at commit").contains("resale cap");

        // A short GA drop draws its line on the chart.
        setRange("drop-buckets", 16);
        WebElement seconds = driver.findElement(By.id("drop-seconds"));
        seconds.clear();
        seconds.sendKeys("2");
        driver.findElement(By.id("drop-start")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("drop-done")));
        List<WebElement> legend = driver.findElements(By.cssSelector("#drop-legend li"));
        assertThat(legend).hasSize(1);
        assertThat(legend.get(0).getText()).startsWith("16 buckets").contains("audit clean");

        // Show the naive run's scratch audit in the proof panel, then keep a picture of the page.
        new Select(driver.findElement(By.id("proof-scope"))).selectByValue("breakit");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("proof-verdict"), "Violations"));
        // Grow the window to the whole page so the picture shows the floor, Break it and the chart.
        long height = (Long) ((JavascriptExecutor) driver).executeScript(
                "window.scrollTo(0, 0); return document.documentElement.scrollHeight;");
        driver.manage().window().setSize(new Dimension(1400, (int) height + 200));
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = Paths.get("target", "command-center.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isPositive();
    }

    /** Range inputs cannot be typed into; set the value and fire the event the page listens to. */
    private void setRange(String id, int value) {
        ((JavascriptExecutor) driver).executeScript(
                "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
                        + "e.dispatchEvent(new Event('input', { bubbles: true }));", id, String.valueOf(value));
    }
}
