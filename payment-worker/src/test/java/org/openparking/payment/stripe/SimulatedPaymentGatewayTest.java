package org.openparking.payment.stripe;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

class SimulatedPaymentGatewayTest extends PaymentGatewayContract {
    private final SimulatedPaymentGateway gateway = new SimulatedPaymentGateway();

    @Override
    PaymentGateway gateway() {
        return gateway;
    }

    @Test
    void theSameKeyWithOtherParametersIsAnIdempotencyError() {
        gateway.charge(new PaymentGateway.ChargeRequest("k1", "s", 500, "EUR", "pm_card_visa"));
        PaymentGateway.ChargeOutcome o = gateway.charge(new PaymentGateway.ChargeRequest("k1", "s", 900, "EUR",
                "pm_card_visa"));
        assertThat(o.disposition(), is(Disposition.FAILED));
        assertThat(o.failureCode(), is("idempotency_error"));
    }
}
