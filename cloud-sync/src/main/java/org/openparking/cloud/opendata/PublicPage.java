package org.openparking.cloud.opendata;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The public availability page (classpath {@code open-data/}), outside the portal: a list of the published
 * lots read from the public API by the browser. Three fixed files; no build step, no CDN.
 */
public final class PublicPage implements HttpService {
    public static final String PATH = "/availability";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> file(res, "index.html"))
                .get("/{file}", (req, res) -> file(res, req.path().pathParameters().get("file")));
    }

    private static void file(ServerResponse res, String name) throws IOException {
        String type = FILES.get(name);
        if (type == null) {
            res.status(Status.NOT_FOUND_404);
            res.header(HeaderNames.CONTENT_TYPE, "text/plain");
            res.send("not found");
            return;
        }
        try (InputStream in = PublicPage.class.getClassLoader().getResourceAsStream("open-data/" + name)) {
            if (in == null) {
                throw new IllegalStateException("open-data/" + name + " is missing from the jar");
            }
            res.header(HeaderNames.CONTENT_TYPE, type);
            res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
            res.send(in.readAllBytes());
        }
    }
}
