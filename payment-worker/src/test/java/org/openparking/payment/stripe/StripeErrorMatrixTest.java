package org.openparking.payment.stripe;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.payment.WorkerSettings;
import org.openparking.testing.StripeStubs;

/**
 * One test per Stripe error class (and PaymentIntent status) against WireMock, through the real
 * stripe-java client and the resilience4j decorators: RETRY means {@code max-attempts} POSTs with
 * one idempotency key, HOLD one POST and no retry, a final state one POST and an outcome.
 */
class StripeErrorMatrixTest {
    private static final int ATTEMPTS = 3;
    private static WireMockServer stripe;
    private ResilientPaymentGateway gateway;

    @BeforeAll
    static void start() {
        stripe = new WireMockServer(wireMockConfig().dynamicPort());
        stripe.start();
    }

    @AfterAll
    static void stop() {
        stripe.stop();
    }

    @BeforeEach
    void fresh() {
        stripe.resetAll();
        gateway = gateway(100, 100);
    }

    static WorkerSettings.Stripe settingsFor(String apiBase) {
        return settings(apiBase, 100, 100);
    }

    static WorkerSettings.Stripe settings(int minimumCalls, int window) {
        return settings(stripe.baseUrl(), minimumCalls, window);
    }

    static WorkerSettings.Stripe settings(String apiBase, int minimumCalls, int window) {
        return new WorkerSettings.Stripe("sk_test_matrix", apiBase, "", Duration.ofSeconds(5),
                Duration.ofSeconds(5), 1000, Duration.ofSeconds(5), ATTEMPTS, Duration.ofMillis(5), 2.0,
                Duration.ofMillis(50), 50, minimumCalls, window, Duration.ofSeconds(60), false,
                WorkerSettings.defaults().stripe().webhookMaxBody());
    }

    static ResilientPaymentGateway gateway(int minimumCalls, int window) {
        WorkerSettings.Stripe s = settings(minimumCalls, window);
        return new ResilientPaymentGateway(new StripePaymentGateway(s), s);
    }

    private static PaymentGateway.ChargeRequest charge(String id) {
        return new PaymentGateway.ChargeRequest(id, "s-" + id, 500, "EUR", "pm_card_visa");
    }

    private PaymentGateway.ChargeOutcome finalOutcome(ResponseDefinitionBuilder response, String id)
            throws GatewayException {
        StripeStubs.stubIntents(stripe, response);
        PaymentGateway.ChargeOutcome outcome = gateway.charge(charge(id));
        assertThat("a final answer is not retried", StripeStubs.postsFor(stripe, id), is(1L));
        return outcome;
    }

    private GatewayException failure(ResponseDefinitionBuilder response, String id, long expectedPosts) {
        StripeStubs.stubIntents(stripe, response);
        GatewayException e = assertThrows(GatewayException.class, () -> gateway.charge(charge(id)));
        assertThat(StripeStubs.postsFor(stripe, id), is(expectedPosts));
        assertThat("every attempt carries the payment id as idempotency key",
                StripeStubs.postsByKey(stripe).keySet(), is(Set.of(id)));
        return e;
    }

    @Test
    void cardExceptionIsFinalDeclined() throws Exception {
        PaymentGateway.ChargeOutcome o = finalOutcome(StripeStubs.declined("stolen_card"), "p_card");
        assertThat(o.disposition(), is(Disposition.DECLINED));
        assertThat(o.failureCode(), is("stolen_card"));
        assertThat(o.providerReference(), is("pi_p_card"));
    }

    @Test
    void rateLimitExceptionIsRetried() {
        GatewayException e = failure(StripeStubs.error(429, "rate_limit_error", "rate_limit", null,
                "Too many requests"), "p_429", ATTEMPTS);
        assertThat(e.disposition(), is(Disposition.RETRY));
        assertThat(e.getCause() instanceof RateLimitException, is(true));
    }

    @Test
    void lockTimeoutIsRetried() {
        GatewayException e = failure(StripeStubs.error(429, "invalid_request_error", "lock_timeout", null,
                "This object cannot be accessed right now"), "p_lock", ATTEMPTS);
        assertThat(e.disposition(), is(Disposition.RETRY));
    }

    @Test
    void idempotencyKeyInUseConflictIsRetried() {
        GatewayException e = failure(StripeStubs.error(409, "idempotency_error", "idempotency_key_in_use",
                null, "There is currently another in-progress request using this Idempotency Key"), "p_409", ATTEMPTS);
        assertThat(e.disposition(), is(Disposition.RETRY));
        assertThat(e.getCause() instanceof ApiException, is(true));
    }

    @Test
    void idempotencyExceptionIsFinalFailed() throws Exception {
        PaymentGateway.ChargeOutcome o = finalOutcome(StripeStubs.error(400, "idempotency_error", null, null,
                "Keys for idempotent requests can only be used with the same parameters"), "p_idem");
        assertThat(o.disposition(), is(Disposition.FAILED));
    }

    @Test
    void invalidRequestExceptionIsFinalFailed() throws Exception {
        PaymentGateway.ChargeOutcome o = finalOutcome(StripeStubs.error(400, "invalid_request_error",
                "resource_missing", null, "No such PaymentMethod: 'pm_gone'"), "p_400");
        assertThat(o.disposition(), is(Disposition.FAILED));
        assertThat(o.failureCode(), is("resource_missing"));
    }

    @Test
    void notFoundIsFinalFailed() throws Exception {
        PaymentGateway.ChargeOutcome o = finalOutcome(StripeStubs.error(404, "invalid_request_error",
                "resource_missing", null, "Unrecognized request URL"), "p_404");
        assertThat(o.disposition(), is(Disposition.FAILED));
    }

    @Test
    void authenticationExceptionIsHeldNotRetried() {
        GatewayException e = failure(StripeStubs.error(401, "invalid_request_error", null, null,
                "Invalid API Key provided: sk_test_****"), "p_401", 1);
        assertThat(e.disposition(), is(Disposition.HOLD));
        assertThat(e.getCause() instanceof AuthenticationException, is(true));
    }

    @Test
    void permissionExceptionIsHeldNotRetried() {
        GatewayException e = failure(StripeStubs.error(403, "invalid_request_error", null, null,
                "The provided key does not have the required permissions"), "p_403", 1);
        assertThat(e.disposition(), is(Disposition.HOLD));
        assertThat(e.getCause() instanceof PermissionException, is(true));
    }

    @Test
    void apiExceptionFiveHundredIsRetried() {
        GatewayException e = failure(StripeStubs.error(500, "api_error", null, null,
                "An unknown error occurred"), "p_500", ATTEMPTS);
        assertThat(e.disposition(), is(Disposition.RETRY));
        assertThat(e.status(), is(500));
    }

    @Test
    void serviceUnavailableIsRetried() {
        GatewayException e = failure(StripeStubs.error(503, "api_error", null, null, "Unavailable"),
                "p_503", ATTEMPTS);
        assertThat(e.disposition(), is(Disposition.RETRY));
    }

    @Test
    void apiConnectionExceptionIsRetried() {
        GatewayException e = failure(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                .withFault(Fault.CONNECTION_RESET_BY_PEER), "p_net", ATTEMPTS);
        assertThat(e.disposition(), is(Disposition.RETRY));
        assertThat(e.getCause() instanceof ApiConnectionException, is(true));
    }

    @Test
    void intentStatusesMapToTheTable() throws Exception {
        for (var entry : StripeOutcomes.INTENT_STATUSES.entrySet()) {
            stripe.resetAll();
            String id = "p_status_" + entry.getKey();
            PaymentGateway.ChargeOutcome o = finalOutcome(StripeStubs.intent(entry.getKey()), id);
            assertThat(entry.getKey(), o.disposition(), is(entry.getValue()));
            assertThat(o.providerReference(), is("pi_" + id));
        }
        assertThat(finalOutcome(StripeStubs.intent("requires_action"), "p_3ds").failureCode(),
                is("authentication_required"));
    }

    @Test
    void breakerOpensOnABurstOfServerErrors() {
        gateway = gateway(4, 8);
        StripeStubs.stubIntents(stripe, StripeStubs.error(500, "api_error", null, null, "boom"));
        for (int i = 0; i < 4; i++) {
            String id = "p_burst_" + i;
            assertThrows(GatewayException.class, () -> gateway.charge(charge(id)));
        }
        assertThat(gateway.breakerState(), is(CircuitBreaker.State.OPEN));
        int before = StripeStubs.intentPosts(stripe).size();
        GatewayException held = assertThrows(GatewayException.class, () -> gateway.charge(charge("p_after")));
        assertThat("an open breaker is a hold, not a failure", held.disposition(), is(Disposition.HOLD));
        assertThat("an open breaker does not call Stripe", StripeStubs.intentPosts(stripe), hasSize(before));
    }

    @Test
    void breakerStaysClosedOnABurstOfDeclines() throws Exception {
        gateway = gateway(4, 8);
        StripeStubs.stubIntents(stripe, StripeStubs.declined("insufficient_funds"));
        for (int i = 0; i < 20; i++) {
            assertThat(gateway.charge(charge("p_decl_" + i)).disposition(), is(Disposition.DECLINED));
        }
        assertThat(gateway.breakerState(), is(CircuitBreaker.State.CLOSED));
    }

    @Test
    void everyExceptionClassOfTheTableIsDocumentedInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = StripeOutcomes.EXCEPTIONS.stream().map(r -> r.type().getSimpleName())
                .filter(name -> !readme.contains(name)).collect(Collectors.toList());
        StripeOutcomes.INTENT_STATUSES.keySet().stream().filter(s -> !readme.contains("`" + s + "`"))
                .forEach(missing::add);
        assertThat(missing, is(List.of()));
        assertThat(StripeOutcomes.classify(new SignatureVerificationException("bad", "t=1")),
                is(Disposition.FAILED));
        assertThat(StripeOutcomes.classify(new CardException("d", "r", "card_declined", null, null, null, 402, null)),
                is(Disposition.DECLINED));
        assertThat(StripeOutcomes.classify(new IdempotencyException("m", "r", "c", 400)), is(Disposition.FAILED));
        assertThat(StripeOutcomes.classify(new InvalidRequestException("m", null, "r", "c", 400, null)),
                is(Disposition.FAILED));
        assertThat(StripeOutcomes.classify(new ApiException("m", "r", "c", 502, null)), is(Disposition.RETRY));
        assertThat(StripeOutcomes.classify(new ApiException("m", "r", "c", 418, null)), is(Disposition.FAILED));
        assertThat(StripeException.class.isAssignableFrom(RateLimitException.class), is(true));
    }
}
