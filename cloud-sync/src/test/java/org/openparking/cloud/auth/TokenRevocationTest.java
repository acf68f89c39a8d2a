package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.testing.TestHttp;

/** Logout and an admin's revoke-all, stored in PostgreSQL, refused at the gateway, audited. */
class TokenRevocationTest {
    private static GatewayFixture g;
    private static String platformAdmin;

    @BeforeAll
    static void start() throws Exception {
        g = GatewayFixture.start(AuthSettings.defaults());
        platformAdmin = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
    }

    @AfterAll
    static void stop() throws Exception {
        if (g != null) {
            g.close();
        }
    }

    @Test
    void logoutRevokesOnlyTheCallersTokenAndIsAudited() throws Exception {
        g.createUser("leaver", "leaver-password-1", Role.VIEWER, "op-a");
        String first = g.login("leaver", "leaver-password-1");
        String second = g.login("leaver", "leaver-password-1");
        assertThat(g.request("GET", "/api/v1/auth/me", first, null).status(), is(200));

        TestHttp.Response out = g.request("POST", "/api/v1/auth/logout", first, null);
        assertThat(out.status(), is(200));
        String jti = out.body().get("revoked").asText();

        TestHttp.Response refused = g.request("GET", "/api/v1/auth/me", first, null);
        assertThat(refused.status(), is(401));
        assertThat(refused.error(), is("UNAUTHORIZED"));
        assertThat(refused.body().get("message").asText(), containsString("revoked"));
        assertThat(refused.headers().firstValue("WWW-Authenticate").isPresent(), is(true));
        // The stream, which also takes the token as a query parameter, refuses it too.
        assertThat(g.request("GET", "/api/v1/stream?access_token=" + first, null, null).status(), is(401));
        // A second logout with the revoked token is a 401, not a second revocation.
        assertThat(g.request("POST", "/api/v1/auth/logout", first, null).status(), is(401));
        // The user's other token is untouched.
        assertThat(g.request("GET", "/api/v1/auth/me", second, null).status(), is(200));

        try (Connection c = g.database.connect();
             PreparedStatement ps = c.prepareStatement("SELECT username, revoked_by FROM revoked_tokens WHERE jti = ?")) {
            ps.setString(1, jti);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next(), is(true));
                assertThat(rs.getString(1), is("leaver"));
                assertThat(rs.getString(2), is("leaver"));
            }
        }
        JsonNode audit = audit("token.revoke", "leaver");
        assertThat(audit.size(), is(1));
        assertThat(audit.get(0).get("actor").asText(), is("leaver"));
        assertThat(audit.get(0).get("target").asText(), is("leaver"));
        assertThat(audit.get(0).get("detail").asText(), containsString(jti));
    }

    @Test
    void anAdminRevokesEveryTokenAUserHoldsAndANewLoginWorks() throws Exception {
        g.createUser("lost-laptop", "lost-laptop-pass", Role.OPERATOR, "op-a");
        List<String> held = new ArrayList<>();
        held.add(g.login("lost-laptop", "lost-laptop-pass"));
        held.add(g.login("lost-laptop", "lost-laptop-pass"));
        held.add(g.app.gateway().tokens().issue("lost-laptop", Role.OPERATOR, "op-a").token());
        for (String t : held) {
            assertThat(g.request("GET", "/api/v1/sessions", t, null).status(), is(200));
        }

        TestHttp.Response revoked = g.request("POST", "/api/v1/users/lost-laptop/tokens/revoke", platformAdmin,
                "{\"reason\":\"laptop stolen\"}");
        assertThat(revoked.text(), revoked.status(), is(200));
        assertThat(revoked.body().get("username").asText(), is("lost-laptop"));

        for (String t : held) {
            TestHttp.Response r = g.request("GET", "/api/v1/sessions", t, null);
            assertThat(r.status(), is(401));
            assertThat(r.error(), is("UNAUTHORIZED"));
        }
        // Issued after the revocation: valid (the cut-off is to the millisecond, not to iat's second).
        String fresh = g.login("lost-laptop", "lost-laptop-pass");
        assertThat(g.request("GET", "/api/v1/sessions", fresh, null).status(), is(200));
        // Other users are untouched.
        assertThat(g.request("GET", "/api/v1/auth/me", platformAdmin, null).status(), is(200));

        JsonNode audit = audit("user.revoke-tokens", "lost-laptop");
        assertThat(audit.size(), is(1));
        assertThat(audit.get(0).get("actor").asText(), is("root"));
        assertThat(audit.get(0).get("target").asText(), is("lost-laptop"));
        assertThat(audit.get(0).get("reason").asText(), is("laptop stolen"));
    }

    @Test
    void aTenantAdminRevokesOnlyItsOwnTenantsUsers() throws Exception {
        g.createUser("tenant-b-user", "tenant-b-password", Role.VIEWER, "op-b");
        g.createUser("tenant-a-user", "tenant-a-password", Role.VIEWER, "op-a");
        String adminA = g.app.gateway().tokens().issue("admin-a", Role.ADMIN, "op-a").token();
        String userB = g.login("tenant-b-user", "tenant-b-password");

        TestHttp.Response other = g.request("POST", "/api/v1/users/tenant-b-user/tokens/revoke", adminA, null);
        TestHttp.Response missing = g.request("POST", "/api/v1/users/nobody-at-all/tokens/revoke", adminA, null);
        assertThat(other.status(), is(404));
        assertThat(other.error(), is("USER_NOT_FOUND"));
        assertThat(missing.status(), is(404));
        assertThat(g.request("GET", "/api/v1/auth/me", userB, null).status(), is(200));

        assertThat(g.request("POST", "/api/v1/users/tenant-a-user/tokens/revoke", adminA, null).status(), is(200));
        // Not an admin: 403; a reason that is not a string: 400 with a code.
        assertThat(g.request("POST", "/api/v1/users/tenant-a-user/tokens/revoke",
                g.app.gateway().tokens().issue("op", Role.OPERATOR, "op-a").token(), null).status(), is(403));
        TestHttp.Response bad = g.request("POST", "/api/v1/users/tenant-a-user/tokens/revoke", platformAdmin,
                "{\"reason\":42}");
        assertThat(bad.status(), is(400));
        assertThat(bad.error() != null, is(true));
    }

    @Test
    void expiredRevocationsArePrunedWhenTheNextOneIsWritten() throws Exception {
        try (Connection c = g.database.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO revoked_tokens (jti, username, expires_at, revoked_by) "
                    + "VALUES ('long-gone', 'someone', now() - interval '1 day', 'someone')");
        }
        String t = g.app.gateway().tokens().issue("pruner", Role.VIEWER, null).token();
        assertThat(g.request("POST", "/api/v1/auth/logout", t, null).status(), is(200));
        try (Connection c = g.database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT jti FROM revoked_tokens WHERE username IN ('someone', 'pruner')")) {
            List<String> left = new ArrayList<>();
            while (rs.next()) {
                left.add(rs.getString(1));
            }
            assertThat(left.size(), is(1));
            assertThat(left.contains("long-gone"), is(false));
        }
    }

    /** Audit rows of one action about one target (other tests of this class write rows too). */
    private static JsonNode audit(String action, String target) throws Exception {
        TestHttp.Response r = g.request("GET", "/api/v1/audit?action=" + action, platformAdmin, null);
        assertThat(r.status(), is(200));
        com.fasterxml.jackson.databind.node.ArrayNode rows = org.openparking.protocol.Json.mapper().createArrayNode();
        r.body().forEach(n -> {
            if (target.equals(n.get("target").asText())) {
                rows.add(n);
            }
        });
        return rows;
    }
}
