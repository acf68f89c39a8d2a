package org.openparking.cloud.portal;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The portal's static files from the classpath folder {@code portal/}; no build step, no CDN. */
public final class PortalService implements HttpService {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> file(res, "index.html"))
                .get("/*", (req, res) -> {
                    // Inside a registered service the path is relative to its mount point.
                    String path = req.path().path();
                    file(res, path.startsWith("/portal/") ? path.substring("/portal/".length()) : path.substring(1));
                });
    }

    private void file(ServerResponse res, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        // Only known file types by plain names: no "..", no hidden files.
        if (type == null || !name.matches("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.[a-z]+")) {
            notFound(res);
            return;
        }
        try (InputStream in = PortalService.class.getClassLoader().getResourceAsStream("portal/" + name)) {
            if (in == null) {
                notFound(res);
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, type);
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.send(in.readAllBytes());
        }
    }

    private static void notFound(ServerResponse res) {
        res.status(Status.NOT_FOUND_404);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain");
        res.send("not found");
    }
}
