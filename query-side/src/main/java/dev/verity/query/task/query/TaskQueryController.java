package dev.verity.query.task.query;

import dev.verity.events.common.Wire;
import dev.verity.events.task.TaskStatus;
import dev.verity.events.task.TaskType;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.tenancy.KeysetPage;
import dev.verity.query.platform.web.ProblemException;
import dev.verity.query.platform.web.ReadYourWrites;
import dev.verity.query.platform.web.RequestValidationException;
import dev.verity.query.platform.web.UuidCursor;
import dev.verity.query.task.query.TaskQueries.ActivityRow;
import dev.verity.query.task.query.TaskQueries.SubmissionRow;
import dev.verity.query.task.query.TaskQueries.TaskDetail;
import dev.verity.query.task.query.TaskQueries.TaskFilter;
import dev.verity.query.task.query.TaskQueries.TaskRow;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The task read API; every read runs as the caller's tenant. */
@RestController
@RequestMapping("/api/v1/tasks")
class TaskQueryController {

    private final TaskQueries queries;
    private final ReadYourWrites readYourWrites;
    /** One instance, so every task read waiting on minVersion shares one version look per tenant. */
    private final ReadYourWrites.Versions taskVersions;

    TaskQueryController(TaskQueries queries, ReadYourWrites readYourWrites) {
        this.queries = queries;
        this.readYourWrites = readYourWrites;
        this.taskVersions = queries::versions;
    }

    record Page(List<TaskRow> items, String nextCursor) {
    }

    record Items<T>(List<T> items) {
    }

    /**
     * {@code ETag} is the task's version, the same number the command API returned. With
     * {@code minVersion} the answer may come later, without holding a request thread meanwhile.
     */
    @GetMapping("/{id}")
    CompletableFuture<ResponseEntity<TaskDetail>> task(@PathVariable UUID id,
                                                       @RequestParam(required = false) @Min(0) Long minVersion,
                                                       @AuthenticationPrincipal Jwt jwt) {
        UUID tenantId = Caller.from(jwt).tenantId();
        return readYourWrites.read(minVersion, taskVersions, tenantId, id, () -> queries.task(tenantId, id),
                                   t -> t.task().version())
                             .thenApply(found -> found.map(task -> ResponseEntity.ok()
                                                                      .eTag("\"" + task.task().version() + "\"")
                                                                      .body(task))
                                                      .orElseThrow(() -> ProblemException.notFound("task")));
    }

    @GetMapping
    Page tasks(@RequestParam(required = false) UUID projectId,
               @RequestParam(required = false) String status,
               @RequestParam(required = false) String assigneeId,
               @RequestParam(required = false) String type,
               @RequestParam(required = false) UUID parentTaskId,
               @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
               @RequestParam(required = false) String cursor,
               @AuthenticationPrincipal Jwt jwt) {
        TaskFilter filter = new TaskFilter(projectId, wire(TaskStatus.class, "status", status), assigneeId,
                                           wire(TaskType.class, "type", type), parentTaskId);
        KeysetPage<TaskRow> page = queries.tasks(Caller.from(jwt).tenantId(), filter, UuidCursor.decode(cursor), limit);
        return new Page(page.items(), page.last() == null ? null : UuidCursor.encode(page.last()));
    }

    @GetMapping("/{id}/submissions")
    Items<SubmissionRow> submissions(@PathVariable UUID id, @AuthenticationPrincipal Jwt jwt) {
        return new Items<>(queries.submissions(Caller.from(jwt).tenantId(), id)
                                  .orElseThrow(() -> ProblemException.notFound("task")));
    }

    @GetMapping("/{id}/activity")
    Items<ActivityRow> activity(@PathVariable UUID id, @AuthenticationPrincipal Jwt jwt) {
        return new Items<>(queries.activity(Caller.from(jwt).tenantId(), id)
                                  .orElseThrow(() -> ProblemException.notFound("task")));
    }

    /** Filters take the spelling the API returns ({@code in_progress}, {@code REVIEW}). */
    private static <E extends Enum<E> & Wire> String wire(Class<E> type, String field, String value) {
        if (value == null) {
            return null;
        }
        return Wire.parse(type, value)
                   .map(Wire::wire)
                   .orElseThrow(() -> new RequestValidationException(field, "is not a known " + field));
    }
}
