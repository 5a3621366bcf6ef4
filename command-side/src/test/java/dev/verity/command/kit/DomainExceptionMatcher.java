package dev.verity.command.kit;

import dev.verity.command.platform.DomainException;
import org.hamcrest.Description;
import org.hamcrest.TypeSafeMatcher;

/** Matches a rejected command by its stable error code, and the field it names when there is one. */
class DomainExceptionMatcher extends TypeSafeMatcher<Throwable> {

    private final String code;
    private final String field;

    DomainExceptionMatcher(String code, String field) {
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
        description.appendText("DomainException with code ").appendValue(code);
        if (field != null) {
            description.appendText(" naming field ").appendValue(field);
        }
    }
}
