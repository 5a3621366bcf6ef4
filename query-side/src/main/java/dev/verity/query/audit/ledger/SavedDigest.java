package dev.verity.query.audit.ledger;

/** A digest an auditor kept from {@code GET /api/v1/audit/digest}: the chain's hash after {@code position} events. */
record SavedDigest(long position, byte[] hash) {
}
