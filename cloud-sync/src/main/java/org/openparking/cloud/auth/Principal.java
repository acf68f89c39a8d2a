package org.openparking.cloud.auth;

import java.util.Set;

/**
 * An authenticated caller. {@code operatorId} null means a platform user who sees every lot;
 * otherwise {@code lots} are the only lots this caller may see or act on.
 */
public record Principal(String username, Role role, String operatorId, Set<String> lots, String requestId) {
    public Principal {
        lots = lots == null ? Set.of() : Set.copyOf(lots);
    }

    public boolean platform() {
        return operatorId == null;
    }

    public boolean sees(String lotId) {
        return platform() || (lotId != null && lots.contains(lotId));
    }
}
