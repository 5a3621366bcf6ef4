package dev.verity.command.platform;

import org.axonframework.modelling.command.AggregateLifecycle;

import java.util.UUID;

/**
 * What every command on an existing record passes before its handler, in every aggregate alike:
 * the record belongs to the caller's tenant (another tenant's record answers exactly as an
 * unknown id, so ids never leak), and an {@code If-Match} version, when given, is the current one.
 */
public final class ExistingRecord {

    private ExistingRecord() {
    }

    /**
     * @throws DomainException 404 {@code not_found} for another tenant's record, 412 for a stale {@code If-Match}
     */
    public static void admit(UUID recordTenant, UUID callerTenant, Long expectedVersion) {
        if (!recordTenant.equals(callerTenant)) {
            throw DomainException.notFound("not_found", "No such record");
        }
        long version = currentVersion();
        if (expectedVersion != null && expectedVersion != version) {
            throw DomainException.versionMismatch(expectedVersion, version);
        }
    }

    /** The version of the aggregate being handled: its last event's sequence number, -1 before any. */
    public static long currentVersion() {
        Long version = AggregateLifecycle.getVersion();
        return version == null ? -1 : version;
    }
}
