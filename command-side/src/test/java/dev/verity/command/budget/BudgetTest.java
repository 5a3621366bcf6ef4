package dev.verity.command.budget;

import dev.verity.command.budget.BudgetCommand.SetBudget;
import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.events.budget.BudgetEvent.BudgetChanged;
import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.events.budget.BudgetIds;
import dev.verity.events.budget.OnLimitReached;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** One given/when/then per rule of the Budget aggregate. */
class BudgetTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-7000-8000-000000000002");
    private static final UUID PROJECT = UUID.fromString("00000000-0000-7000-8000-0000000000bb");
    private static final UUID BUDGET = BudgetIds.of(TENANT, PROJECT);

    private AggregateTestFixture<Budget> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Budget.class);
    }

    private static SetBudget set(Long maxTokens, String maxCost, String threshold, OnLimitReached mode) {
        return new SetBudget(BUDGET, TENANT, null, PROJECT, maxTokens, maxCost == null ? null : new BigDecimal(maxCost),
                             threshold == null ? null : new BigDecimal(threshold), mode);
    }

    private static BudgetCreated created(int maxTokens, String maxCost, String threshold, OnLimitReached mode) {
        return new BudgetCreated(BUDGET, TENANT, PROJECT, maxTokens, new BigDecimal(maxCost), new BigDecimal(threshold),
                                 mode);
    }

    private static Matcher code(String code, String field) {
        return new Matcher(code, field);
    }

    @Test
    void set_createsTheBudget_withTheSeedDefaults_whenFieldsAreAbsent() {
        fixture.givenNoPriorActivity()
               .when(set(null, null, null, null))
               .expectEvents(created(100_000, "5.00", "0.80", OnLimitReached.PAUSE))
               .expectResultMessagePayload(new CommandResult(BUDGET, 0, true));
    }

    @Test
    void set_replacesTheLimits_whenTheBudgetExists() {
        fixture.given(created(100_000, "5.00", "0.80", OnLimitReached.PAUSE))
               .when(set(500L, "1.2345", "0.5", OnLimitReached.FAIL))
               .expectEvents(new BudgetChanged(BUDGET, TENANT, PROJECT, 500, new BigDecimal("1.2345"),
                                               new BigDecimal("0.5"), OnLimitReached.FAIL))
               .expectResultMessagePayload(new CommandResult(BUDGET, 1, true));
    }

    @Test
    void set_appendsNothing_whenTheLimitsAreUnchanged() {
        fixture.given(created(500, "1.00", "0.80", OnLimitReached.WARN))
               .when(set(500L, "1.0", "0.8", OnLimitReached.WARN))
               .expectNoEvents()
               .expectResultMessagePayload(new CommandResult(BUDGET, 0, false));
    }

    @Test
    void set_fails_withValidationFailed_whenCostHasMoreThanFourDecimals() {
        fixture.givenNoPriorActivity().when(set(null, "1.00001", null, null))
               .expectNoEvents().expectException(code("validation_failed", "maxCostUsd"));
    }

    @Test
    void set_fails_withValidationFailed_whenCostHasMoreIntegerDigitsThanTheColumn() {
        fixture.givenNoPriorActivity().when(set(null, "1000000", null, null))
               .expectNoEvents().expectException(code("validation_failed", "maxCostUsd"));
    }

    @Test
    void set_fails_withValidationFailed_whenThresholdIsAboveOneOrHasThreeDecimals() {
        fixture.givenNoPriorActivity().when(set(null, null, "1.01", null))
               .expectNoEvents().expectException(code("validation_failed", "warningThreshold"));
        fixture.givenNoPriorActivity().when(set(null, null, "0.805", null))
               .expectNoEvents().expectException(code("validation_failed", "warningThreshold"));
    }

    @Test
    void set_fails_withValidationFailed_whenMaxTokensIsZeroOrPastInteger() {
        fixture.givenNoPriorActivity().when(set(0L, null, null, null))
               .expectNoEvents().expectException(code("validation_failed", "maxTokens"));
        fixture.givenNoPriorActivity().when(set(2_147_483_648L, null, null, null))
               .expectNoEvents().expectException(code("validation_failed", "maxTokens"));
    }

    @Test
    void set_fails_withVersionMismatch_whenIfMatchIsStale() {
        fixture.given(created(100_000, "5.00", "0.80", OnLimitReached.PAUSE))
               .when(new SetBudget(BUDGET, TENANT, 3L, PROJECT, 10L, null, null, null))
               .expectNoEvents().expectException(code("version_mismatch", null));
    }

    @Test
    void set_fails_whenTheIdIsNotDerivedFromTenantAndProject() {
        fixture.givenNoPriorActivity()
               .when(new SetBudget(BudgetIds.of(OTHER_TENANT, PROJECT), TENANT, null, PROJECT, null, null, null, null))
               .expectNoEvents().expectException(IllegalArgumentException.class);
    }

    @Test
    void budgetIds_differPerTenant_forTheSameProject() {
        assertThat(BudgetIds.of(TENANT, PROJECT)).isNotEqualTo(BudgetIds.of(OTHER_TENANT, PROJECT))
                                                 .isEqualTo(BudgetIds.of(TENANT, PROJECT));
    }

    /** A rejection by its stable code and, for input problems, the field it names. */
    static final class Matcher extends TypeSafeMatcher<Throwable> {

        private final String code;
        private final String field;

        Matcher(String code, String field) {
            this.code = code;
            this.field = field;
        }

        @Override
        protected boolean matchesSafely(Throwable item) {
            return item instanceof DomainException domain && domain.code().equals(code)
                   && (field == null || domain.errors().stream().anyMatch(error -> field.equals(error.get("field"))));
        }

        @Override
        public void describeTo(Description description) {
            description.appendText("DomainException with code ").appendValue(code).appendText(" naming ").appendValue(field);
        }
    }
}
