package dev.verity.query.platform.projection;

import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every projection of the query side, by name. */
@Component
public class Projections {

    private final Map<String, ProjectionDefinition> byName = new LinkedHashMap<>();

    public Projections(List<ProjectionDefinition> definitions) {
        for (ProjectionDefinition definition : definitions) {
            if (byName.put(definition.name(), definition) != null) {
                throw new IllegalStateException("Two projections are named " + definition.name());
            }
        }
    }

    public Optional<ProjectionDefinition> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<ProjectionDefinition> all() {
        return byName.values();
    }
}
