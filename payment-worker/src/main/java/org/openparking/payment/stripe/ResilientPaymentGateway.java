package org.openparking.payment.stripe;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import org.openparking.payment.WorkerSettings;

/**
 * resilience4j around a {@link PaymentGateway}: Retry(CircuitBreaker(RateLimiter(call))).
 * <ul>
 *   <li>Retry only RETRY failures ({@link StripeOutcomes}), with exponential backoff; the delegate
 *       sends the same idempotency key on every attempt.</li>
 *   <li>The breaker counts RETRY and HOLD failures except 429; a decline is a returned outcome, so
 *       it is a success and a burst of declines never opens the breaker.</li>
 *   <li>The rate limiter keeps the worker process below Stripe's request rate; a caller waits for a
 *       permit up to {@code rate-limit-wait}.</li>
 * </ul>
 * An open breaker or a rate-limit wait that timed out is reported as a HOLD failure: the caller
 * keeps the request and tries later, it never drops it.
 */
public final class ResilientPaymentGateway implements PaymentGateway {
    private final PaymentGateway delegate;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final RateLimiter rateLimiter;

    public ResilientPaymentGateway(PaymentGateway delegate, WorkerSettings.Stripe settings) {
        this.delegate = delegate;
        this.retry = Retry.of("stripe", RetryConfig.<Object>custom()
                .maxAttempts(settings.retryMaxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.retryInitialBackoff().toMillis(),
                        settings.retryMultiplier(), settings.retryMaxBackoff().toMillis()))
                .retryOnException(e -> e instanceof GatewayException g && g.disposition() == Disposition.RETRY)
                .failAfterMaxAttempts(false)
                .build());
        this.breaker = CircuitBreaker.of("stripe", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.breakerWindowSize())
                .minimumNumberOfCalls(settings.breakerMinimumCalls())
                .failureRateThreshold(settings.breakerFailureRatePercent())
                .waitDurationInOpenState(settings.breakerOpenWait())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(e -> e instanceof GatewayException g && !g.rateLimited())
                .build());
        this.rateLimiter = RateLimiter.of("stripe", RateLimiterConfig.custom()
                .limitForPeriod(settings.rateLimitPerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(settings.rateLimitWait())
                .build());
    }

    @Override
    public ChargeOutcome charge(ChargeRequest request) throws GatewayException {
        return call(() -> delegate.charge(request));
    }

    @Override
    public ChargeOutcome status(String providerReference) throws GatewayException {
        return call(() -> delegate.status(providerReference));
    }

    @Override
    public RefundOutcome refund(RefundCall request) throws GatewayException {
        return call(() -> delegate.refund(request));
    }

    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    private <T> T call(CheckedSupplier<T> supplier) throws GatewayException {
        CheckedSupplier<T> decorated = Retry.decorateCheckedSupplier(retry,
                CircuitBreaker.decorateCheckedSupplier(breaker,
                        RateLimiter.decorateCheckedSupplier(rateLimiter, supplier)));
        try {
            return decorated.get();
        } catch (GatewayException e) {
            throw e;
        } catch (CallNotPermittedException e) {
            throw new GatewayException(Disposition.HOLD, null, "circuit breaker open", e);
        } catch (RequestNotPermitted e) {
            throw new GatewayException(Disposition.HOLD, null, "rate limiter: no permit in time", e);
        } catch (RuntimeException e) {
            throw new GatewayException(Disposition.RETRY, null, e.getClass().getSimpleName(), e);
        } catch (Throwable e) {
            throw new GatewayException(Disposition.RETRY, null, e.getClass().getSimpleName(), e);
        }
    }
}
