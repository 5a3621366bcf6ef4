package dev.verity.query.audit.ledger;

/**
 * Where an event sits in the chain's order: by its writing transaction's id ({@code xid}, 0 for
 * events stored before transactions were recorded), then by global index. Ordered this way, the
 * events of every transaction below the server's oldest running one are final: nothing can ever
 * be inserted before them.
 */
record ChainKey(long xid, long globalIndex) implements Comparable<ChainKey> {

    /** Before every event: no transaction id is negative and global indexes start at 1. */
    static final ChainKey START = new ChainKey(0, 0);

    @Override
    public int compareTo(ChainKey other) {
        int byTransaction = Long.compare(xid, other.xid);
        return byTransaction != 0 ? byTransaction : Long.compare(globalIndex, other.globalIndex);
    }
}
