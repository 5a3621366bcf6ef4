package dev.verity.query.console;

import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.events.budget.BudgetIds;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetState;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent.ObligationStatusChanged;
import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.query.ProbeProjection;
import dev.verity.query.SessionEvents;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import dev.verity.query.execution.ExecutionStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser against this query side on real PostgreSQL: every page is opened
 * with data appended as events, driven the way a user would (clicks, typing), and photographed
 * into target/console-screenshots. Each test works in a tenant of its own.
 */
class ConsoleBrowserTest extends ExecutionStreams {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** A rebuild replays every task event in the database; the full suite leaves some 10,000 first. */
    private static final Duration REBUILD_PATIENCE = Duration.ofSeconds(240);
    private static WebDriver browser;

    @LocalServerPort
    private int port;

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private UUID tampered;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = Browser.start(1280, 800);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @AfterEach
    void cleanUp() {
        ProbeProjection.reset();
        if (tampered != null) {
            owner.update("UPDATE read_model.tasks SET title = ? WHERE id = ?",
                         TaskEvents.created(tampered, tenant, project).title(), tampered);
        }
        if (browser != null) {
            System.out.println("browser console: " + Browser.consoleMessages(browser));
        }
    }

    @Test
    void signIn_byPastingAToken_showsItsTenantAndScopes() throws IOException {
        browser.manage().deleteAllCookies();
        open("/console/");
        js("sessionStorage.clear(); location.reload();");
        WebElement input = waitFor(By.id("token-input"));
        input.sendKeys(token("read audit admin"));
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();

        waitFor(By.cssSelector("#projections tbody tr"));
        assertThat(browser.findElement(By.id("tenant")).getText()).isEqualTo(tenant.toString());
        assertThat(browser.findElement(By.id("scopes")).getText()).isEqualTo("read audit admin");
        assertThat(browser.findElements(By.cssSelector("#projections tbody tr")).size()).isGreaterThanOrEqualTo(6);
        assertThat(browser.findElement(By.cssSelector("#rebuild-tasks button[data-action=rebuild]")).isEnabled())
                .as("rebuilding needs the operator scope").isFalse();
        Browser.screenshot(browser, "sign-in-projections");
    }

    @Test
    void consoleLink_signsIn_andKeepsTheTokenOutOfTheAddressBar() {
        signIn("read audit admin");

        assertThat(browser.getCurrentUrl()).doesNotContain("token").endsWith("/console/#/projections");
        assertThat((String) js("return sessionStorage.getItem('verity.token')")).startsWith("eyJ");
        waitFor(By.cssSelector("#projections tbody tr"));
    }

    @Test
    void rebuild_showsItsProgressBarReaching100Percent() throws IOException {
        UUID task = UUID.randomUUID();
        eventStreams.append(tenant, TaskEvents.created(task, tenant, project));
        awaitTaskVersion(task, 0);
        signIn("read audit admin operator");

        WebElement rebuild = waitFor(By.cssSelector("#rebuild-tasks button[data-action=rebuild]"));
        wait(ExpectedConditions.elementToBeClickable(rebuild));
        rebuild.click();

        WebElement block = waitFor(By.cssSelector("#rebuild-tasks .rebuild"));
        new WebDriverWait(browser, REBUILD_PATIENCE).until(d -> "done".equals(block.getAttribute("data-state")));
        assertThat(block.findElement(By.tagName("progress")).getAttribute("value")).isEqualTo("100");
        assertThat(block.findElement(By.className("percent")).getText()).isEqualTo("100.0 %");
        assertThat(block.findElement(By.className("details")).getText()).contains("done").contains("events/s");
        Browser.screenshot(browser, "projections-rebuilt");
    }

    @Test
    void deadLetters_areInspectedRetriedAndDiscarded_oneSelectedOrAllMatching() throws IOException {
        UUID inspected = UUID.randomUUID();
        UUID discarded = UUID.randomUUID();
        UUID retriedInBulk = UUID.randomUUID();
        List.of(inspected, discarded, retriedInBulk).forEach(task -> {
            ProbeProjection.failOn(task);
            eventStreams.append(tenant, TaskEvents.created(task, tenant, project));
        });
        await().atMost(PATIENCE).until(() -> api().get("/api/v1/admin/dead-letters?projection=probe", admin())
                                                  .body().get("items").size() == 3);
        List.of(inspected, discarded, retriedInBulk).forEach(ProbeProjection::heal);
        signIn("read admin");
        open("/console/#/dead-letters/probe");

        WebElement row = waitFor(letterOf(inspected));
        assertThat(row.getText()).contains("TaskCreated v0").contains("IllegalStateException");
        Browser.screenshot(browser, "dead-letters");
        row.findElement(By.cssSelector("button[data-action=inspect]")).click();
        WebElement inspector = waitFor(By.id("inspector"));
        assertThat(inspector.getText()).contains("TaskEvent$TaskCreated").contains(tenant.toString());
        inspector.findElement(By.xpath(".//button[text()='Retry this letter']")).click();
        assertThat(waitFor(By.cssSelector(".success")).getText()).contains("processed");
        wait(ExpectedConditions.invisibilityOfElementLocated(letterOf(inspected)));

        WebElement box = waitFor(letterOf(discarded)).findElement(By.cssSelector("input[type=checkbox]"));
        box.click();
        assertThat(browser.switchTo().activeElement()).as("ticking keeps the focus").isEqualTo(box);
        browser.findElement(By.id("discard-selected")).click();
        wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".success"), "Discarded 1 letter."));
        wait(ExpectedConditions.invisibilityOfElementLocated(letterOf(discarded)));

        waitFor(By.id("retry-all")).click();
        wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".success"), "1 went through"));
        waitFor(By.id("no-letters"));
        assertThat(owner.queryForList("SELECT id FROM read_model.probe_tasks WHERE id IN (?, ?, ?)", UUID.class,
                                      inspected, discarded, retriedInBulk))
                .containsExactlyInAnyOrder(inspected, retriedInBulk);
    }

    private static By letterOf(UUID task) {
        return By.xpath("//tr[@data-letter][contains(., '" + task + "')]");
    }

    @Test
    void timeline_showsAPastVersionWithItsChanges_andANewVersionArrivesWithoutReload() throws IOException {
        UUID task = UUID.randomUUID();
        eventStreams.append(tenant, TaskEvents.created(task, tenant, project),
                            new TaskAssigned(task, AssigneeType.USER, "bob"));
        awaitTaskVersion(task, 1);
        signIn("read audit");
        open("/console/#/timeline/task/" + task);

        waitFor(By.cssSelector("#timeline button[data-version='1']"));
        clickOnceStable(By.cssSelector("#timeline button[data-version='0']"));
        wait(d -> d.findElement(By.id("as-of-heading")).getText().startsWith("Version 0"));
        assertThat(browser.findElements(By.cssSelector("tr.changed"))).isEmpty();
        clickOnceStable(By.cssSelector("#timeline button[data-version='1']"));
        wait(d -> d.findElement(By.id("as-of-heading")).getText().startsWith("Version 1"));
        WebElement assignee = waitFor(By.cssSelector("tr.changed[data-field=assigneeId]"));
        assertThat(assignee.getText()).contains("bob").contains("agent-7");
        Browser.screenshot(browser, "timeline");

        eventStreams.append(tenant, new TaskStarted(task));
        WebElement arrived = waitFor(By.cssSelector("#timeline button[data-version='2']"));
        assertThat(arrived.getText()).contains("TaskStarted");
        assertThat(browser.findElement(By.id("timeline-live")).getText()).contains("Version 2 arrived");
        // Delivered by GET /api/v1/stream, not by the polling fallback (that is for a query side without it).
        assertThat(browser.findElement(By.tagName("body")).getAttribute("data-live")).isEqualTo("stream");
    }

    /**
     * The stream reader itself, in the browser, against a stream served by a stand-in fetch(): events
     * split across chunks, comments, CRLF lines; the reconnection after the server closes carries
     * Last-Event-ID, and a 404 there falls back to polling.
     */
    @Test
    void streamReader_parsesServerSentEvents_reconnectsWithLastEventId_andPollsOn404() {
        signIn("read admin audit");
        Map<String, Object> seen = asyncJs("""
                const done = arguments[arguments.length - 1];
                const chunks = ['id: 7\\nevent: projection\\ndata: {"name":"tasks",', '"lag":3}\\n\\n: keep-alive\\n\\n',
                                'event: record\\r\\nid: 8\\r\\ndata: {"type":"task","id":"x","version":2}\\r\\n\\r\\n'];
                const calls = [];
                const realFetch = window.fetch;
                window.fetch = async (url, init) => {
                  if (!String(url).startsWith('/api/v1/stream')) return realFetch(url, init); // the page's own polling
                  calls.push({ url: String(url), lastEventId: (init.headers || {})['Last-Event-ID'] || null });
                  if (calls.length > 1) return new Response('{"detail":"no stream"}', { status: 404 });
                  const body = new ReadableStream({ start(c) {
                    chunks.forEach(chunk => c.enqueue(new TextEncoder().encode(chunk)));
                    c.close();
                  } });
                  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
                };
                import('/console/js/live.js').then(live => {
                const events = [];
                const stop = live.subscribe(['projections', 'records:task/x'], {
                  projection: p => events.push({ kind: 'projection', data: p }),
                  record: r => events.push({ kind: 'record', data: r }),
                  error: () => {},
                });
                setTimeout(() => {
                  const mode = document.body.dataset.live;
                  stop();
                  window.fetch = realFetch;
                  done({ events: JSON.stringify(events.slice(0, 2)), first: calls[0].url,
                         reconnect: calls[1] ? calls[1].lastEventId : null, mode });
                }, 2500);
                });""");

        assertThat(seen.get("events")).isEqualTo("[{\"kind\":\"projection\",\"data\":{\"name\":\"tasks\",\"lag\":3}},"
                + "{\"kind\":\"record\",\"data\":{\"type\":\"task\",\"id\":\"x\",\"version\":2}}]");
        assertThat(seen.get("first")).isEqualTo("/api/v1/stream?topics=projections%2Crecords%3Atask%2Fx");
        assertThat(seen.get("reconnect")).isEqualTo("8");
        assertThat(seen.get("mode")).isEqualTo("polling");
        browser.navigate().refresh();
    }

    @Test
    void unknownRecord_showsTheProblemsDetail() {
        String unknown = "/api/v1/audit/task/" + UUID.randomUUID();
        String detail = api().get(unknown + "/history", token("audit")).body().get("detail").asString();
        signIn("read audit");
        open("/console/#/timeline/" + unknown.substring("/api/v1/audit/".length()));

        WebElement problem = waitFor(By.cssSelector(".problem[role=alert]"));
        assertThat(problem.getText()).isEqualTo(detail + " (404 not_found)");
    }

    @Test
    void verify_reportsATamperedRow_andTheLedgerVerifiesAgainstASavedDigest() throws IOException {
        UUID task = UUID.randomUUID();
        eventStreams.append(tenant, TaskEvents.created(task, tenant, project));
        awaitTaskVersion(task, 0);
        tampered = task;
        owner.update("UPDATE read_model.tasks SET title = 'tampered' WHERE id = ?", task);
        signIn("read audit");
        open("/console/#/verification");

        waitFor(By.id("verify-tenant")).click();
        WebElement verdict = waitFor(By.id("verify-verdict"));
        assertThat(verdict.getText()).startsWith("DIFFERS");
        WebElement tasks = browser.findElement(By.cssSelector("tr[data-table=tasks]"));
        assertThat(tasks.getText()).contains(task.toString()).contains("differs");
        assertThat(browser.findElement(By.id("verify-platform")).isEnabled()).as("needs operator").isFalse();

        wait(d -> d.findElement(By.id("digest")).getText().contains("hash"));
        browser.findElement(By.id("save-digest")).click();
        waitFor(By.cssSelector("#saved-digests button[data-action=verify-saved]")).click();
        WebElement ledger = waitFor(By.id("ledger-verdict"));
        assertThat(ledger.getText()).startsWith("ok through position").contains("matching the saved digest");
        Browser.screenshot(browser, "verification");
    }

    @Test
    void budgets_showUsageAgainstLimits_andTheExecutionsNearThem() throws IOException {
        UUID budget = BudgetIds.of(tenant, project);
        append(tenant, new BudgetCreated(budget, tenant, project, 10000, new BigDecimal("20.0000"),
                                         new BigDecimal("0.75"), OnLimitReached.PAUSE));
        UUID hot = UUID.randomUUID();
        UUID calm = UUID.randomUUID();
        append(tenant, created(hot, tenant, project), new ExecutionStarted(hot),
               new UsageRecorded(hot, 900, new BigDecimal("1.5000"), "planner", 900, new BigDecimal("1.5000"),
                                 BudgetState.WARNING));
        append(tenant, created(calm, tenant, project), new ExecutionStarted(calm),
               new UsageRecorded(calm, 100, new BigDecimal("0.2000"), "planner", 100, new BigDecimal("0.2000"),
                                 BudgetState.OK));
        awaitBudgetVersion(budget, 0);
        awaitExecutionVersion(hot, 2);
        awaitExecutionVersion(calm, 2);
        signIn("read");
        open("/console/#/budgets");

        waitFor(By.cssSelector("#project-list a")).click();
        WebElement detail = waitFor(By.id("near-heading"));
        assertThat(detail.getText()).isEqualTo("Executions near or over their limits (1 of 2)");
        assertThat(browser.findElement(By.id("budget-detail")).getText())
                .contains("1,000 of 10,000 (10.0 %)").contains("warning at\n75 %");
        assertThat(browser.findElement(By.id("budget-detail")).getText()).contains(hot.toString())
                .doesNotContain(calm.toString());
        Browser.screenshot(browser, "budgets");
    }

    @Test
    void sessions_showCompletenessOverTurns_obligationsByStatus_andDependencies() throws IOException {
        UUID session = UUID.randomUUID();
        eventStreams.appendSession(tenant, SessionEvents.started(session, tenant, project),
                SessionEvents.added(session, "name", "0"),
                SessionEvents.added(session, "email", "0", "name"),
                new TurnRecorded(session, 1, Map.of()),
                new ObligationStatusChanged(session, "name", ObligationStatus.PENDING, ObligationStatus.SATISFIED,
                                            null, 1, 1, new BigDecimal("0.50")),
                new TurnRecorded(session, 2, Map.of()),
                new ObligationStatusChanged(session, "email", ObligationStatus.PENDING, ObligationStatus.SATISFIED,
                                            null, 2, 2, new BigDecimal("1.00")));
        await().atMost(PATIENCE).until(() -> owner.queryForList(
                "SELECT version FROM read_model.elicitation_sessions WHERE id = ?", Long.class, session)
                .stream().anyMatch(v -> v >= 6));
        signIn("read audit");
        open("/console/#/sessions");

        waitFor(By.cssSelector("#session-list a[href='#/sessions/" + session + "']")).click();
        WebElement email = waitFor(By.cssSelector("tr[data-key=email]"));
        assertThat(email.getText()).contains("satisfied").contains("name");
        wait(d -> d.findElement(By.cssSelector("#session-detail figure .chart")).getAttribute("aria-label")
                   .contains("turn 0: 0 %, turn 1: 50 %, turn 2: 100 %"));
        assertThat(browser.findElement(By.id("session-detail")).getText()).contains("satisfied 2");
        Browser.screenshot(browser, "sessions");
    }

    @Test
    void pagesBeyondTheTokensScopes_sayWhichScopeTheyNeed_andTheNarrowLayoutStaysUsable() throws IOException {
        signIn("read");
        open("/console/#/projections");

        WebElement refusal = waitFor(By.cssSelector("main .problem[role=alert]"));
        assertThat(refusal.getText()).contains("needs a token with the admin or operator scope");
        browser.manage().window().setSize(new Dimension(420, 800));
        try {
            open("/console/#/budgets");
            waitFor(By.id("project-id"));
            Long overflow = js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(overflow).as("no sideways scrolling on a narrow window").isLessThanOrEqualTo(0L);
            Browser.screenshot(browser, "narrow-budgets");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    @Test
    void keyboard_signsIn_andOpensAPageFromTheNav_withAVisibleFocus() {
        open("/console/");
        js("sessionStorage.clear(); location.reload();");
        waitFor(By.id("token-input"));
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("token-input");
        browser.switchTo().activeElement().sendKeys(token("read audit"));
        browser.switchTo().activeElement().sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Sign in");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        waitFor(By.id("nav"));

        WebElement focused = null;
        for (int i = 0; i < 12; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            focused = browser.switchTo().activeElement();
            if ("Verification".equals(focused.getText())) {
                break;
            }
        }
        assertThat(focused.getText()).as("the nav links are in tab order").isEqualTo("Verification");
        assertThat(focused.getCssValue("outline-style")).as("focus is visible").isNotEqualTo("none");
        focused.sendKeys(Keys.ENTER);
        wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main h2"), "Verification"));
        assertThat(browser.findElement(By.id("verify-tenant")).getTagName()).isEqualTo("button");
    }

    private void signIn(String scopes) {
        open("/console/#token=" + token(scopes));
        wait(d -> d.getCurrentUrl().endsWith("#/projections"));
    }

    private void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
    }

    private String token(String scopes) {
        return TestTokens.token(JWT_SECRET, tenant, scopes, Instant.now().plus(Duration.ofMinutes(10)));
    }

    private String admin() {
        return token("admin");
    }

    private WebElement waitFor(By locator) {
        return wait(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /**
     * Clicks what {@code locator} finds, finding it again when the page re-rendered it between the
     * find and the click: the timeline redraws its list as the live stream connects and catches up.
     */
    private void clickOnceStable(By locator) {
        wait(driver -> {
            try {
                driver.findElement(locator).click();
                return true;
            } catch (StaleElementReferenceException redrawn) {
                return false;
            }
        });
    }

    private <T> T wait(Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, PATIENCE).until(condition);
    }

    @SuppressWarnings("unchecked")
    private <T> T asyncJs(String script) {
        browser.manage().timeouts().scriptTimeout(PATIENCE);
        return (T) ((JavascriptExecutor) browser).executeAsyncScript(script);
    }

    @SuppressWarnings("unchecked")
    private <T> T js(String script, Object... arguments) {
        return (T) ((JavascriptExecutor) browser).executeScript(script, arguments);
    }
}
