package org.openparking.payment.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openparking.testing.StripeStubs;

/** The contract against the real stripe-java client talking to a WireMock Stripe. */
class StripePaymentGatewayContractTest extends PaymentGatewayContract {
    private static WireMockServer stripe;
    private static PaymentGateway gateway;

    @BeforeAll
    static void start() {
        stripe = new WireMockServer(wireMockConfig().dynamicPort());
        stripe.start();
        stripe.stubFor(post(urlEqualTo(StripeStubs.INTENTS)).atPriority(5)
                .willReturn(StripeStubs.intent("succeeded")));
        stripe.stubFor(post(urlEqualTo(StripeStubs.INTENTS)).atPriority(1)
                .withRequestBody(matching(".*payment_method=pm_card_chargeDeclinedInsufficientFunds(&.*)?"))
                .willReturn(StripeStubs.declined("insufficient_funds")));
        stripe.stubFor(get(urlPathMatching(StripeStubs.INTENTS + "/pi_.*"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(StripeStubs.intentJson("succeeded", null)
                                .replace("pi_{{request.headers.Idempotency-Key}}", "{{request.pathSegments.[2]}}"))
                        .withTransformers("response-template")));
        stripe.stubFor(post(urlEqualTo(StripeStubs.REFUNDS)).willReturn(StripeStubs.refund("succeeded")));
        gateway = new StripePaymentGateway(StripeErrorMatrixTest.settingsFor(stripe.baseUrl()));
    }

    @AfterAll
    static void stop() {
        stripe.stop();
    }

    @Override
    PaymentGateway gateway() {
        return gateway;
    }
}
