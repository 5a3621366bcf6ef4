package dev.verity.events.common;

/** Metadata every event carries; the names are part of the stored format. */
public final class MetadataKeys {

    public static final String TENANT_ID = "tenantId";
    public static final String ACTOR_TYPE = "actorType";
    public static final String ACTOR_ID = "actorId";
    public static final String CORRELATION_ID = "correlationId";
    public static final String CAUSATION_ID = "causationId";

    private MetadataKeys() {
    }
}
