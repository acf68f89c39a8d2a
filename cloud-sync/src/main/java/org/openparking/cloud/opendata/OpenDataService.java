package org.openparking.cloud.opendata;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.List;
import org.openparking.cloud.auth.ClientAddress;
import org.openparking.cloud.auth.RateLimiter;
import org.openparking.platform.json.HttpErrors;

/**
 * The public availability API under {@value #BASE}: no login, outside the gateway's {@code /api/v1}. Only lots
 * an operator published appear; an unpublished lot answers exactly as an unknown one (404).
 */
public final class OpenDataService implements HttpService {
    public static final String BASE = "/open-data/v1";

    private final PublicAvailability availability;
    private final PublicAnswers answers;
    private final Clock clock;

    public OpenDataService(PublicAvailability availability, ClientAddress addresses, Clock clock) {
        this.availability = availability;
        OpenDataSettings s = availability.settings();
        this.answers = new PublicAnswers(new RateLimiter(s.perSecond(), s.burst(), clock), addresses, s.maxAge());
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.options("/*", (req, res) -> answers.preflight(res))
                .get("/lots", this::lots)
                .get("/lots/{lotId}", this::lot)
                .get("/parkapi/v3/parking-sites", this::parkApi)
                .get("/datex2/parking-light", this::datex)
                .get("/datex2/v3/parking-status", this::datexStatus)
                .get("/apds/places", this::apdsPlaces)
                .get("/apds/places/{lotId}", this::apdsPlace)
                .get("/apds/places/{lotId}/occupancy", this::apdsOccupancy)
                .any("/*", (req, res) -> {
                    if (answers.admit(req, res)) {
                        HttpErrors.send(res, Status.NOT_FOUND_404, "NOT_FOUND", "no public endpoint "
                                + req.prologue().method().text() + " " + req.path().path());
                    }
                });
    }

    /** The list answer of our own format. */
    record Lots(List<PublicAvailability.Lot> lots) {
    }

    private void lots(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            answers.json(req, res, new Lots(availability.lots()));
        }
    }

    private void lot(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            answers.json(req, res, one(req));
        }
    }

    private void parkApi(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            answers.json(req, res, ParkApiFormat.of(availability.lots()));
        }
    }

    private void datex(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            List<PublicAvailability.Lot> lots = availability.lots();
            answers.send(req, res, DatexLightFormat.of(lots, published(lots)), "application/xml");
        }
    }

    private void datexStatus(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            List<PublicAvailability.Lot> lots = availability.lots();
            answers.send(req, res, DatexStatusFormat.of(lots, published(lots)), "application/xml");
        }
    }

    /** The publication time is that of the newest count (or site edit), so an unchanged feed keeps its ETag. */
    private java.time.Instant published(List<PublicAvailability.Lot> lots) {
        return lots.stream().map(PublicAvailability.Lot::observedAt)
                .filter(java.util.Objects::nonNull).max(java.util.Comparator.naturalOrder())
                .orElse(lots.stream().map(PublicAvailability.Lot::siteUpdatedAt)
                        .max(java.util.Comparator.naturalOrder()).orElse(clock.instant()));
    }

    private void apdsPlaces(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            answers.json(req, res, ApdsFormat.places(availability.lots()));
        }
    }

    private void apdsPlace(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            answers.json(req, res, ApdsFormat.place(one(req)));
        }
    }

    private void apdsOccupancy(ServerRequest req, ServerResponse res) throws Exception {
        if (answers.admit(req, res)) {
            answers.json(req, res, ApdsFormat.occupancy(one(req)));
        }
    }

    private PublicAvailability.Lot one(ServerRequest req) throws java.sql.SQLException {
        String lotId = req.path().pathParameters().get("lotId");
        return availability.lot(lotId).orElseThrow(() -> org.openparking.cloud.CloudException.notFound("NOT_FOUND",
                "no published lot " + lotId));
    }
}
