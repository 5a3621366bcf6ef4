package dev.verity.command.task;

import dev.verity.command.platform.DomainException;
import org.hamcrest.Description;
import org.hamcrest.TypeSafeMatcher;

/** Matches a rejected command by its stable error code, which is what clients rely on. */
class DomainExceptionMatcher extends TypeSafeMatcher<Throwable> {

    private final String code;

    DomainExceptionMatcher(String code) {
        this.code = code;
    }

    @Override
    protected boolean matchesSafely(Throwable item) {
        return item instanceof DomainException domain && domain.code().equals(code);
    }

    @Override
    public void describeTo(Description description) {
        description.appendText("DomainException with code ").appendValue(code);
    }
}
