package dev.verity.query.admin.projection;

import dev.verity.query.admin.projection.ProjectionStatuses.ProjectionStatus;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.security.Reach;
import dev.verity.query.platform.web.ProblemException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

/**
 * Projection operations: status of every projection (scope {@code admin}, counting the caller's
 * tenant's dead letters, or {@code operator}, counting all), and starting or cancelling a
 * zero-downtime rebuild (scope {@code operator} only: a rebuild replays every tenant's events and
 * pauses processing for all). Both rebuild calls answer 202 with the projection's status and point
 * {@code Location} at it, where progress can be followed.
 */
@RestController
@RequestMapping("/api/v1/admin/projections")
class ProjectionAdminController {

    private final Projections projections;
    private final ProjectionStatuses statuses;
    private final Rebuilds rebuilds;

    ProjectionAdminController(Projections projections, ProjectionStatuses statuses, Rebuilds rebuilds) {
        this.projections = projections;
        this.statuses = statuses;
        this.rebuilds = rebuilds;
    }

    record Items<T>(List<T> items) {
    }

    @GetMapping
    Items<ProjectionStatus> projections(@AuthenticationPrincipal Jwt jwt) {
        return new Items<>(statuses.all(Reach.of(jwt)));
    }

    @GetMapping("/{name}")
    ProjectionStatus status(@AuthenticationPrincipal Jwt jwt, @PathVariable String name) {
        return statuses.of(known(name), Reach.of(jwt));
    }

    @PostMapping("/{name}/rebuild")
    ResponseEntity<ProjectionStatus> rebuild(@PathVariable String name) {
        ProjectionDefinition projection = known(name);
        rebuilds.start(projection);
        return accepted(projection);
    }

    @DeleteMapping("/{name}/rebuild")
    ResponseEntity<ProjectionStatus> cancel(@PathVariable String name) {
        ProjectionDefinition projection = known(name);
        rebuilds.cancel(projection.name());
        return accepted(projection);
    }

    private ResponseEntity<ProjectionStatus> accepted(ProjectionDefinition projection) {
        return ResponseEntity.accepted()
                             .location(URI.create("/api/v1/admin/projections/" + projection.name()))
                             .body(statuses.of(projection, Reach.everyTenant()));
    }

    private ProjectionDefinition known(String name) {
        return projections.find(name).orElseThrow(() -> ProblemException.notFound("projection"));
    }
}
