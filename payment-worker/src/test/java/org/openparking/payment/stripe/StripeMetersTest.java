package org.openparking.payment.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import io.helidon.metrics.api.Tag;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.payment.WorkerSettings;
import org.openparking.testing.StripeStubs;

/**
 * {@code payment_stripe_calls_total} against WireMock through the real stripe-java client and the resilience4j
 * decorators: each attempt is counted once with what the worker made of it and Stripe's error class, so
 * retries show as several attempts and a decline as a {@code card_error}.
 */
class StripeMetersTest {
    private final WireMockServer stripe = new WireMockServer(wireMockConfig().dynamicPort());
    private final MeterRegistry registry = MetricsFactory.getInstance().createMeterRegistry(MetricsConfig.create());
    private ResilientPaymentGateway gateway;
    /** The counters as they were before the test: Helidon's factory can hand the same counters to every registry in
     * this JVM, so another test's charges (PaymentFlowTest's PAIDs) are already counted there. */
    private final java.util.Map<String, Double> before = new java.util.HashMap<>();

    @BeforeEach
    void start() {
        stripe.start();
        WorkerSettings.Stripe s = StripeErrorMatrixTest.settingsFor(stripe.baseUrl());
        gateway = new ResilientPaymentGateway(new StripePaymentGateway(s, new StripeMeters(registry)), s);
        for (String[] k : new String[][] {{"PAID", "none"}, {"DECLINED", "card_error"}, {"RETRY", "rate_limit_error"},
                {"RETRY", "api_connection_error"}, {"HOLD", "authentication_error"},
                {"FAILED", "invalid_request_error"}}) {
            before.put(k[0] + "/" + k[1], count(k[0], k[1]));
        }
    }

    @AfterEach
    void stop() {
        stripe.stop();
    }

    private PaymentGateway.ChargeOutcome charge(ResponseDefinitionBuilder answer, String id) throws GatewayException {
        stripe.resetAll();
        StripeStubs.stubIntents(stripe, answer);
        return gateway.charge(new PaymentGateway.ChargeRequest(id, "s-" + id, 500, "EUR", "pm_card_visa"));
    }

    /** Attempts counted since this test started. */
    private double attempts(String outcome, String errorClass) {
        return count(outcome, errorClass) - before.getOrDefault(outcome + "/" + errorClass, 0.0);
    }

    private double count(String outcome, String errorClass) {
        return registry.counter("payment.stripe.calls", List.of(Tag.create("call", "charge"),
                        Tag.create("outcome", outcome), Tag.create("error_class", errorClass)))
                .map(Counter::count).orElse(0L);
    }

    @Test
    void aPaymentAndADeclineAreOneAttemptEach() throws Exception {
        assertThat(charge(StripeStubs.intent("succeeded"), "m_paid").disposition(), is(Disposition.PAID));
        assertThat(charge(StripeStubs.declined("insufficient_funds"), "m_declined").disposition(),
                is(Disposition.DECLINED));
        assertThat(attempts("PAID", "none"), is(1.0));
        assertThat(attempts("DECLINED", "card_error"), is(1.0));
    }

    @Test
    void retriedErrorsCountEveryAttemptUnderTheirStripeClass() {
        assertThrows(GatewayException.class, () -> charge(StripeStubs.error(429, "rate_limit_error", "rate_limit",
                null, "Too many requests"), "m_429"));
        assertThrows(GatewayException.class, () -> charge(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                "m_reset"));
        assertThat(attempts("RETRY", "rate_limit_error"), is(3.0));
        assertThat(attempts("RETRY", "api_connection_error"), is(3.0));
    }

    @Test
    void aWrongKeyIsHeldAfterOneAttemptAndAnInvalidRequestFails() throws Exception {
        assertThrows(GatewayException.class, () -> charge(StripeStubs.error(401, "invalid_request_error", null, null,
                "Invalid API Key provided"), "m_401"));
        assertThat(charge(StripeStubs.error(400, "invalid_request_error", "resource_missing", null,
                "No such PaymentMethod"), "m_400").disposition(), is(Disposition.FAILED));
        assertThat(attempts("HOLD", "authentication_error"), is(1.0));
        assertThat(attempts("FAILED", "invalid_request_error"), is(1.0));
    }
}
