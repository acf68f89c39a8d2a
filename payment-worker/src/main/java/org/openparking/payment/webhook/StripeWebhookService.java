package org.openparking.payment.webhook;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderName;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.openparking.platform.json.HttpErrors;

/**
 * {@code POST /webhooks/stripe}: hands the raw body (the signature covers its exact bytes) to the processor.
 * The body is bounded before it is read: this endpoint faces the Internet, and one huge body read into
 * memory would exhaust the heap and stop the worker.
 */
public final class StripeWebhookService implements HttpService {
    private static final HeaderName STRIPE_SIGNATURE = HeaderNames.create("Stripe-Signature");

    private final WebhookProcessor processor;
    private final int maxBodyBytes;

    public StripeWebhookService(WebhookProcessor processor, int maxBodyBytes) {
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("stripe.webhook-max-body must be positive");
        }
        this.processor = processor;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/stripe", this::receive);
    }

    private void receive(ServerRequest request, ServerResponse response) {
        OptionalLong length = request.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
            tooLarge(response);
            return;
        }
        byte[] body;
        // A chunked body has no length up front: read one byte past the limit to tell.
        try (InputStream in = request.content().inputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body.length > maxBodyBytes) {
            tooLarge(response);
            return;
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        String signature = request.headers().first(STRIPE_SIGNATURE).orElse(null);
        WebhookProcessor.Reply reply = processor.handle(payload, signature);
        response.status(Status.create(reply.status())).send(reply.body());
    }

    private void tooLarge(ServerResponse response) {
        HttpErrors.send(response, Status.REQUEST_ENTITY_TOO_LARGE_413, "BODY_TOO_LARGE",
                "webhook bodies are limited to " + maxBodyBytes + " bytes");
    }
}
