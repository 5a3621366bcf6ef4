package dev.verity.query.audit;

import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Every {@link AuditedAggregate} of the query side, by the names the audit API accepts for it. */
@Component
public class AuditedAggregates {

    private final Map<String, AuditedAggregate> byPathName = new HashMap<>();

    public AuditedAggregates(List<AuditedAggregate> aggregates) {
        for (AuditedAggregate aggregate : aggregates) {
            for (String name : aggregate.pathNames()) {
                if (byPathName.put(name, aggregate) != null) {
                    throw new IllegalStateException("Two audited aggregates are called " + name);
                }
            }
        }
    }

    /** Every name the audit API accepts, sorted, to tell a caller what it may use. */
    public List<String> pathNames() {
        return byPathName.keySet().stream().sorted().toList();
    }

    /** Every aggregate once. */
    public List<AuditedAggregate> all() {
        return byPathName.values().stream().distinct().toList();
    }

    /** The aggregate a path segment such as {@code tasks} stands for; case does not matter. */
    public Optional<AuditedAggregate> byPathName(String name) {
        return Optional.ofNullable(byPathName.get(name.toLowerCase(Locale.ROOT)));
    }
}
