package dev.verity.store;

import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Axon's {@link JdbcTokenStore}, except that storing a token never claims the segment: only the
 * node recorded as the segment's owner may store its token.
 * <p>
 * Axon's {@code storeToken} first updates the row where this node is the owner; when that matches
 * nothing, it loads the row and claims it on the spot if nobody owns it or its owner's claim has
 * expired. That is wrong for a node that lost its claim while it was processing a batch (starved
 * past the claim timeout, so another node took the segment over, went on, and released it again,
 * or a pause took it away): its batch commits anyway, and its token, older than the one the other
 * node stored, overwrites it. The stored tokens then stand behind the rows of the live tables, and
 * a verification that replays up to those tokens finds rows it cannot explain; two nodes may also
 * apply the same events at once. Refusing instead makes that node's batch roll back, rows and
 * token together, and its work package stop; the segment's real owner goes on.
 * <p>
 * Nothing in Verity needs the fallback: Axon's processors store tokens only for segments they
 * have claimed ({@code fetchToken}), and a rebuild moves tokens itself. Axon's own
 * {@code resetTokens} does rely on it and would fail here: reset through a rebuild instead.
 */
public class OwnerOnlyTokenStore extends JdbcTokenStore {

    public OwnerOnlyTokenStore(JdbcTokenStore.Builder builder) {
        super(builder);
    }

    /** Axon's load-then-save fallback of {@code storeToken}, reached only when this node does not own the segment. */
    @Override
    protected void updateToken(Connection connection, ResultSet resultSet, TrackingToken token, String processorName,
                               int segment) throws SQLException {
        String owner = resultSet.next() ? readTokenEntry(resultSet).getOwner() : null;
        throw new UnableToClaimTokenException(String.format(
                "Not storing a token for '%s[%d]': this node does not own it (its owner is %s)",
                processorName, segment, owner == null ? "nobody" : "'" + owner + "'"));
    }
}
