package org.openparking.payment;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import java.util.function.Supplier;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.openparking.payment.store.JdbcPaymentStore;
import org.openparking.payment.store.PaymentStore;
import org.openparking.payment.stripe.PaymentGateway;
import org.openparking.payment.stripe.ResilientPaymentGateway;
import org.openparking.payment.stripe.SimulatedPaymentGateway;
import org.openparking.payment.stripe.StripeMeters;
import org.openparking.payment.stripe.StripePaymentGateway;
import org.openparking.payment.webhook.StripeWebhookService;
import org.openparking.payment.webhook.WebhookProcessor;
import org.openparking.payment.worker.CrashPoints;
import org.openparking.payment.worker.PaymentMetrics;
import org.openparking.platform.observe.JvmMeters;
import org.openparking.payment.worker.PaymentProcessor;
import org.openparking.payment.worker.PaymentWorker;
import org.openparking.payment.worker.PendingSweeper;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.platform.json.HttpErrors;
import org.openparking.platform.json.JsonMedia;

/**
 * The running worker: database, Stripe gateway with resilience, AMQP consumers and the HTTP server
 * (observe endpoints and the Stripe webhook). Built once by {@link Main}; tests start it in-process.
 */
public final class PaymentApplication implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PaymentApplication.class.getName());

    private final PooledDataSource dataSource;
    private final ResilientPaymentGateway gateway;
    private final PaymentWorker worker;
    private final WebServer server;
    private final PendingSweeper sweeper;

    private PaymentApplication(PooledDataSource dataSource, ResilientPaymentGateway gateway, PaymentWorker worker,
                               WebServer server, PendingSweeper sweeper) {
        this.sweeper = sweeper;
        this.dataSource = dataSource;
        this.gateway = gateway;
        this.worker = worker;
        this.server = server;
    }

    public static PaymentApplication start(WorkerSettings settings) throws IOException, TimeoutException {
        return start(settings, CrashPoints.NONE);
    }

    public static PaymentApplication start(WorkerSettings settings, CrashPoints crashPoints)
            throws IOException, TimeoutException {
        LOG.info("starting with " + settings);
        // The registry /observe/metrics serves, looked up once here and handed to what records meters.
        MeterRegistry metrics = Metrics.globalRegistry();
        JvmMeters.bind(metrics);
        // Each consumer holds one connection through its Stripe call (the claim), plus webhooks.
        int poolSize = Math.max(settings.db().poolSize(), settings.worker().consumers() + 2);
        PooledDataSource dataSource = PooledDataSource.postgres(settings.db().with(settings.db().url(), poolSize),
                "payment-worker");
        PaymentWorker worker = null;
        try {
            dataSource.migrate("classpath:db/migration");
            PaymentStore store = new JdbcPaymentStore(dataSource);
            PaymentGateway stripe;
            if (settings.stripe().simulated()) {
                LOG.warning("stripe.mode is simulated: NO REAL CHARGES are made (development only)");
                stripe = new SimulatedPaymentGateway();
            } else {
                stripe = new StripePaymentGateway(settings.stripe(), new StripeMeters(metrics));
            }
            ResilientPaymentGateway gateway = new ResilientPaymentGateway(stripe, settings.stripe());
            PaymentProcessor processor = new PaymentProcessor(store, gateway, settings.worker().claimTimeout(),
                    settings.worker().holdDelay(), crashPoints, Clock.systemUTC(),
                    new PaymentMetrics(metrics));
            worker = new PaymentWorker(settings.broker(), settings.worker(), processor);
            worker.start();
            WebhookProcessor webhooks = new WebhookProcessor(store, worker::publish, settings.stripe().webhookSecret(),
                    Clock.systemUTC());
            PaymentWorker started = worker;
            ResilientPaymentGateway breakerView = gateway;
            Supplier<HealthCheckResponse> brokerCheck = () -> HealthCheckResponse.builder()
                    .status(started.isConnected())
                    .detail("amqp", started.isConnected() ? "connected" : "disconnected")
                    .detail("stripeCircuitBreaker", breakerView.breakerState().name())
                    .build();
            WebServer server = WebServer.builder()
                    .port(settings.serverPort())
                    .directHandlers(HttpErrors.directHandlers())
                    .mediaContext(JsonMedia.context())
                    .addFeature(ObserveFeature.builder()
                            .addObserver(HealthObserver.builder().details(true)
                                    .addCheck(brokerCheck, HealthCheckType.READINESS, "payment-worker").build())
                            .addObserver(MetricsObserver.create())
                            .build())
                    .routing(r -> routing(r, new StripeWebhookService(webhooks, settings.stripe().webhookMaxBody()), started))
                    .build()
                    .start();
            LOG.info("payment worker HTTP on port " + server.port());
            PendingSweeper sweeper = settings.worker().pendingSweep().isZero() ? null
                    : new PendingSweeper(store, processor, started::publish, settings.worker().pendingSweep(),
                            settings.worker().pendingAge());
            return new PaymentApplication(dataSource, gateway, worker, server, sweeper);
        } catch (IOException | RuntimeException e) {
            if (worker != null) {
                worker.close();
            }
            dataSource.close();
            throw e;
        }
    }

    /** The HTTP routes: the Stripe webhook and a readiness view of the worker. */
    static void routing(HttpRouting.Builder routing, StripeWebhookService webhooks, PaymentWorker worker) {
        routing.register("/webhooks", webhooks)
                .get("/worker", (req, res) -> res.send(new WorkerStatus(worker.isConnected())))
                .get("/openapi.yaml", (req, res) -> res.header(io.helidon.http.HeaderNames.CONTENT_TYPE,
                        "application/yaml").send(OPENAPI));
        // Anything unexpected still answers in the house error shape, without internals.
        HttpErrors.register(routing, BODY_CODES);
    }

    private static final HttpErrors.BodyCodes BODY_CODES = new HttpErrors.BodyCodes("INVALID_PAYLOAD",
            "INVALID_PAYLOAD");

    /** The OpenAPI 3.1 document of these routes, checked against them by the test suite. */
    static final String OPENAPI_RESOURCE = "/openapi/worker.yaml";
    private static final byte[] OPENAPI = openapi();

    private static byte[] openapi() {
        try (java.io.InputStream in = PaymentApplication.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code GET /worker}: whether the worker is connected to RabbitMQ. */
    record WorkerStatus(boolean connected) {
    }

    public int port() {
        return server.port();
    }

    public ResilientPaymentGateway gateway() {
        return gateway;
    }

    public PaymentWorker worker() {
        return worker;
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.close();
        }
        worker.close();
        server.stop();
        dataSource.close();
    }
}
