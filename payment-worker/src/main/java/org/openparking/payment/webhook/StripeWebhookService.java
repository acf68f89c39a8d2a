package org.openparking.payment.webhook;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderName;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /webhooks/stripe}: hands the raw body (the signature covers its exact bytes) to the processor. */
public final class StripeWebhookService implements HttpService {
    private static final HeaderName STRIPE_SIGNATURE = HeaderNames.create("Stripe-Signature");

    private final WebhookProcessor processor;

    public StripeWebhookService(WebhookProcessor processor) {
        this.processor = processor;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/stripe", this::receive);
    }

    private void receive(ServerRequest request, ServerResponse response) {
        String payload = request.content().as(String.class);
        String signature = request.headers().first(STRIPE_SIGNATURE).orElse(null);
        WebhookProcessor.Reply reply = processor.handle(payload, signature);
        response.status(Status.create(reply.status())).send(reply.body());
    }
}
