package dev.verity.query.console;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium through Debian's chromedriver, both by path: Selenium Manager is
 * never asked to find (or download) either. Missing binaries fail the tests with what to install;
 * a browser test that silently skips would prove nothing.
 */
final class Browser {

    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Path CHROMIUM = Path.of(System.getProperty("verity.browser.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER =
            Path.of(System.getProperty("verity.browser.chromedriver", "/usr/bin/chromedriver"));

    private Browser() {
    }

    static WebDriver start(int width, int height) throws IOException {
        List<Path> missing = Stream.of(CHROMIUM, CHROMEDRIVER).filter(path -> !Files.isExecutable(path)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The console's browser tests need Debian's chromium and chromium-driver;"
                    + " missing: " + missing + ". Run scripts/provision-browser.sh as root (./verity test does) or"
                    + " apt-get install chromium chromium-driver; -Dverity.browser.chromium=PATH and"
                    + " -Dverity.browser.chromedriver=PATH point to other binaries");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-dev-shm-usage", "--window-size=" + width + "," + height,
                             "--user-data-dir=" + Files.createTempDirectory("verity-chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** The whole page at the window's width: the window grows to the page's height for the shot. */
    static Path screenshot(WebDriver browser, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Dimension window = browser.manage().window().getSize();
        Long chrome = (Long) ((JavascriptExecutor) browser).executeScript("return window.outerHeight - window.innerHeight");
        Long page = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.max(window.getHeight(), page + chrome)));
        try {
            Path taken = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(taken, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.manage().window().setSize(window);
        }
        return file;
    }

    /** The page's console messages: a failing test prints them, so a script error is not a mystery. */
    static List<String> consoleMessages(WebDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList();
    }
}
