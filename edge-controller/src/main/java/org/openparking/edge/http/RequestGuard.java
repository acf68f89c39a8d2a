package org.openparking.edge.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.openparking.platform.json.HttpErrors;

/**
 * Keeps browsers on the lot network from changing anything (CSRF): a state-changing request (POST, PUT, PATCH,
 * DELETE) with a body must declare {@code application/json}, which no page can send cross-origin without a
 * CORS preflight the edge never grants, and one whose {@code Origin} is not the edge itself is refused. A
 * browser sends {@code Origin} with every such request (including bodyless ones); lane terminals, pay stations
 * and scripts send none and are judged by their credentials alone. Registered before every other service.
 */
final class RequestGuard implements HttpService {
    private static final Set<Method> CHANGING = Set.of(Method.POST, Method.PUT, Method.PATCH, Method.DELETE);

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::check);
    }

    private void check(ServerRequest req, ServerResponse res) {
        if (!CHANGING.contains(req.prologue().method())) {
            res.next();
            return;
        }
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin != null && !sameOrigin(origin, req.headers().first(HeaderNames.HOST).orElse(""))) {
            HttpErrors.send(res, Status.FORBIDDEN_403, "FOREIGN_ORIGIN",
                    "cross-origin requests may not change anything on this edge (Origin " + origin + ")");
            return;
        }
        if (hasBody(req) && !json(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(""))) {
            HttpErrors.send(res, Status.UNSUPPORTED_MEDIA_TYPE_415, "UNSUPPORTED_MEDIA_TYPE",
                    "request bodies must be Content-Type: application/json");
            return;
        }
        res.next();
    }

    /** The origin's host and port are the ones the request was sent to ({@code Origin: null} never is). */
    static boolean sameOrigin(String origin, String host) {
        try {
            URI uri = URI.create(origin.trim());
            if (uri.getHost() == null || host.isBlank()) {
                return false;
            }
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority.equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean hasBody(ServerRequest req) {
        return req.headers().contentLength().orElse(0L) > 0 || req.headers().contains(HeaderNames.TRANSFER_ENCODING);
    }

    private static boolean json(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json");
    }
}
