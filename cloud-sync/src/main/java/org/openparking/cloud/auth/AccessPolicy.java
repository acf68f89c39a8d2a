package org.openparking.cloud.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which role each endpoint of {@code /api/v1} needs, and which lot it concerns. An endpoint missing
 * here answers 404 to everyone (fail closed); the authorization matrix test checks this list
 * against every registered route.
 */
public final class AccessPolicy {
    /** How an endpoint's object is tied to a lot, for the object-level check. */
    public enum Scope {
        /** No single object: lists are filtered to the caller's lots. */
        NONE,
        /** Path parameter {@code lotId}. */
        LOT,
        /** Path parameter {@code id}, a session id. */
        SESSION,
        /** Platform-wide (users of every tenant, edges registration, key push): platform users only. */
        PLATFORM
    }

    /** One endpoint: {@code role} null means public. */
    public record Rule(String method, String path, Role role, Scope scope) {
        public boolean isPublic() {
            return role == null;
        }
    }

    public static final List<Rule> RULES = List.of(
            new Rule("POST", "/auth/login", null, Scope.NONE),
            new Rule("GET", "/auth/jwks", null, Scope.NONE),
            new Rule("GET", "/auth/me", Role.VIEWER, Scope.NONE),
            new Rule("POST", "/auth/logout", Role.VIEWER, Scope.NONE),
            new Rule("POST", "/auth/keys/push", Role.ADMIN, Scope.PLATFORM),
            new Rule("GET", "/users", Role.ADMIN, Scope.NONE),
            new Rule("POST", "/users", Role.ADMIN, Scope.NONE),
            // Tenant admins for their own tenant's users: checked by the handler (404 otherwise).
            new Rule("POST", "/users/{username}/tokens/revoke", Role.ADMIN, Scope.NONE),
            new Rule("POST", "/operators/{operatorId}/lots", Role.ADMIN, Scope.PLATFORM),
            new Rule("GET", "/audit", Role.OPERATOR, Scope.NONE),
            new Rule("GET", "/stream", Role.VIEWER, Scope.NONE),
            new Rule("GET", "/lots", Role.VIEWER, Scope.NONE),
            new Rule("GET", "/lots/{lotId}/levels", Role.VIEWER, Scope.LOT),
            new Rule("GET", "/edges", Role.VIEWER, Scope.NONE),
            new Rule("POST", "/edges", Role.ADMIN, Scope.PLATFORM),
            new Rule("GET", "/lots/{lotId}/tariff", Role.VIEWER, Scope.LOT),
            // The portal's charts (issue 15): a lot's history, for whoever sees the lot.
            new Rule("GET", "/lots/{lotId}/history/occupancy", Role.VIEWER, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/history/edges", Role.VIEWER, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/history/revenue", Role.VIEWER, Scope.LOT),
            new Rule("PUT", "/lots/{lotId}/tariff", Role.OPERATOR, Scope.LOT),
            // Merchant validators and coupons (issue 19): the lot's tenant only.
            new Rule("POST", "/lots/{lotId}/validators", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/validators", Role.VIEWER, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/coupons", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/coupons", Role.VIEWER, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/validations/bill-back", Role.VIEWER, Scope.LOT),
            // What a lot publishes as open data (issue 18): its tenant's operators only.
            new Rule("GET", "/lots/{lotId}/open-data", Role.VIEWER, Scope.LOT),
            new Rule("PUT", "/lots/{lotId}/open-data", Role.OPERATOR, Scope.LOT),
            // Partner webhooks: the handler checks every lot of a registration against the caller's tenant.
            new Rule("POST", "/partners", Role.OPERATOR, Scope.NONE),
            // APDS Sessions (plates: operators only) and Rates of the caller's tenant (issue 18).
            new Rule("GET", "/apds/sessions", Role.OPERATOR, Scope.NONE),
            new Rule("GET", "/apds/sessions/{id}", Role.OPERATOR, Scope.SESSION),
            new Rule("GET", "/apds/lots/{lotId}/rates", Role.VIEWER, Scope.LOT),
            // APDS AssignedRights (permits, reservations: plates and cards, so operators only) of a lot (issue 19).
            new Rule("GET", "/apds/lots/{lotId}/rights", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/partners", Role.OPERATOR, Scope.NONE),
            // Lane rules (issue 19): the lot's tenant reads them, its operators change them (pushed to its levels).
            new Rule("GET", "/lots/{lotId}/permits", Role.VIEWER, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/permits", Role.OPERATOR, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/permits/{permitId}/suspend", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/pools", Role.VIEWER, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/pools", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/reservations", Role.VIEWER, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/reservations", Role.OPERATOR, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/reservation-keys/rotate", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/lots/{lotId}/accounts", Role.VIEWER, Scope.LOT),
            new Rule("POST", "/lots/{lotId}/accounts", Role.OPERATOR, Scope.LOT),
            new Rule("POST", "/levels/{lotId}/{levelId}/status", Role.OPERATOR, Scope.LOT),
            new Rule("POST", "/lanes/{lotId}/{levelId}/{laneId}/open", Role.OPERATOR, Scope.LOT),
            new Rule("GET", "/drift", Role.VIEWER, Scope.NONE),
            new Rule("GET", "/sessions", Role.VIEWER, Scope.NONE),
            new Rule("GET", "/sessions/{id}", Role.VIEWER, Scope.SESSION),
            new Rule("POST", "/sessions/{id}/refund", Role.OPERATOR, Scope.SESSION),
            new Rule("GET", "/payments", Role.VIEWER, Scope.NONE),
            new Rule("GET", "/unable-to-collect", Role.VIEWER, Scope.NONE),
            new Rule("GET", "/dead-letters", Role.ADMIN, Scope.PLATFORM));

    private AccessPolicy() {
    }

    /** A matched rule and the path parameters it bound. */
    public record Match(Rule rule, Map<String, String> params) {
    }

    /** The rule for {@code method} and {@code path} (relative to /api/v1). */
    public static Optional<Match> match(String method, String path) {
        String[] actual = split(path);
        for (Rule rule : RULES) {
            if (!rule.method().equals(method)) {
                continue;
            }
            String[] template = split(rule.path());
            if (template.length != actual.length) {
                continue;
            }
            Map<String, String> params = new java.util.HashMap<>();
            boolean ok = true;
            for (int i = 0; i < template.length && ok; i++) {
                if (template[i].startsWith("{") && template[i].endsWith("}")) {
                    if (actual[i].isEmpty()) {
                        ok = false;
                    }
                    params.put(template[i].substring(1, template[i].length() - 1), actual[i]);
                } else {
                    ok = template[i].equals(actual[i]);
                }
            }
            if (ok) {
                return Optional.of(new Match(rule, Map.copyOf(params)));
            }
        }
        return Optional.empty();
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.split("/", -1);
    }
}
