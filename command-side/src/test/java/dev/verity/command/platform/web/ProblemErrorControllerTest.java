package dev.verity.command.platform.web;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.transaction.CannotCreateTransactionException;

import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code /error} answers for a failure that escaped a filter rather than a controller. */
class ProblemErrorControllerTest {

    private static MockHttpServletRequest forwarded(Throwable failure) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, failure);
        request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/api/v1/tasks");
        return request;
    }

    @Test
    void error_returns503StorageUnavailableWithRetryAfter_whenADatabaseFailureEscapedAFilter() {
        Throwable failure = new IllegalStateException(new CannotCreateTransactionException(
                "Could not open JDBC Connection for transaction",
                new CannotGetJdbcConnectionException("pool", new SQLTransientConnectionException("timed out"))));

        ResponseEntity<Object> response = new ProblemErrorController().error(forwarded(failure));

        assertThat(response.getStatusCode().value()).isEqualTo(503);
        assertThat(response.getHeaders().getFirst("Retry-After")).isNotBlank();
        ProblemDetail problem = (ProblemDetail) response.getBody();
        assertThat(problem.getProperties()).containsEntry("code", "storage_unavailable");
        assertThat(problem.getInstance()).hasToString("/api/v1/tasks");
    }

    @Test
    void error_returns500InternalError_forAnyOtherFailure() {
        ResponseEntity<Object> response = new ProblemErrorController().error(forwarded(new NullPointerException()));

        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(((ProblemDetail) response.getBody()).getProperties()).containsEntry("code", "internal_error");
    }
}
