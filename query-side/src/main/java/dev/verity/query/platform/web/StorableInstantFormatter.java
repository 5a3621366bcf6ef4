package dev.verity.query.platform.web;

import org.springframework.format.Formatter;
import org.springframework.format.datetime.standard.InstantFormatter;

import java.text.ParseException;
import java.time.Instant;
import java.util.Locale;

/**
 * Instants in query parameters ({@code from}, {@code to}, {@code at}) as Spring reads them, but
 * only within the years 0001 to 9999: Java takes years up to a billion, PostgreSQL's
 * {@code timestamptz} does not, and comparing with one fails the statement. A value outside is
 * a type mismatch, a 400 naming the parameter.
 */
class StorableInstantFormatter implements Formatter<Instant> {

    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    static final String EXPECTED = "must be an ISO-8601 instant such as 2030-01-31T17:00:00Z, in the years 0001 to 9999";

    private final InstantFormatter spring = new InstantFormatter();

    @Override
    public Instant parse(String text, Locale locale) throws ParseException {
        Instant instant = spring.parse(text, locale);
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new IllegalArgumentException(EXPECTED);
        }
        return instant;
    }

    @Override
    public String print(Instant instant, Locale locale) {
        return spring.print(instant, locale);
    }
}
