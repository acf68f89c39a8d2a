package org.openparking.cloud.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.history.HistoryQueries;
import org.openparking.cloud.history.HistoryViews.Range;

/**
 * The portal's charts: a lot's occupancy per level and its edges' health over the last 24 h or 7 d, revenue and
 * payment outcomes per day in the lot's time zone. Polled views: answered from {@link ViewCache} with an ETag.
 * The gateway has checked that the caller sees {@code lotId}.
 */
public final class HistoryService implements HttpService {
    private final HistoryQueries history;
    private final ViewCache views;

    public HistoryService(HistoryQueries history, ViewCache views) {
        this.history = history;
        this.views = views;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/lots/{lotId}/history/occupancy", this::occupancy)
                .get("/lots/{lotId}/history/edges", this::edges)
                .get("/lots/{lotId}/history/revenue", this::revenue);
    }

    private static Range range(ServerRequest req) {
        try {
            return Range.parse(Http.query(req, "range").orElse("24h"));
        } catch (IllegalArgumentException e) {
            throw CloudException.invalid(e.getMessage());
        }
    }

    private void occupancy(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        Range range = range(req);
        views.send(req, res, "history:occupancy:" + range.text + ":" + lotId,
                () -> found(history.occupancy(lotId, range), lotId));
    }

    private void edges(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        Range range = range(req);
        views.send(req, res, "history:edges:" + range.text + ":" + lotId,
                () -> found(history.edgeHealth(lotId, range), lotId));
    }

    private void revenue(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        int days;
        String text = Http.query(req, "days").orElse("14");
        try {
            days = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw CloudException.invalid("days must be a number, was " + text);
        }
        if (days < 1 || days > HistoryQueries.MAX_DAYS) {
            throw CloudException.invalid("days must be between 1 and " + HistoryQueries.MAX_DAYS + ", was " + days);
        }
        int n = days;
        views.send(req, res, "history:revenue:" + n + ":" + lotId, () -> found(history.revenue(lotId, n), lotId));
    }

    private static <T> T found(Optional<T> view, String lotId) {
        return view.orElseThrow(() -> CloudException.notFound("LOT_NOT_FOUND", "lot " + lotId + " is not known"));
    }
}
