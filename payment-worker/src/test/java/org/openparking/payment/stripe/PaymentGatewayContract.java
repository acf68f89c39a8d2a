package org.openparking.payment.stripe;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link PaymentGateway} does, run against Stripe (WireMock) and the simulated one. */
abstract class PaymentGatewayContract {

    abstract PaymentGateway gateway();

    private static PaymentGateway.ChargeRequest charge(String paymentMethod) {
        String id = "pay_" + UUID.randomUUID().toString().substring(0, 8);
        return new PaymentGateway.ChargeRequest(id, "s-" + id, 500, "EUR", paymentMethod);
    }

    @Test
    void aTokenIsChargedWithAProviderReference() throws Exception {
        PaymentGateway.ChargeOutcome o = gateway().charge(charge("pm_card_visa"));
        assertThat(o.disposition(), is(Disposition.PAID));
        assertThat(o.providerReference(), notNullValue());
    }

    @Test
    void theSameKeyTwiceIsTheSamePayment() throws Exception {
        PaymentGateway.ChargeRequest request = charge("pm_card_visa");
        PaymentGateway.ChargeOutcome first = gateway().charge(request);
        PaymentGateway.ChargeOutcome second = gateway().charge(request);
        assertThat(second.providerReference(), is(first.providerReference()));
        assertThat(second.disposition(), is(Disposition.PAID));
    }

    @Test
    void aDeclinedCardIsDeclinedWithItsCode() throws Exception {
        PaymentGateway.ChargeOutcome o = gateway().charge(charge("pm_card_chargeDeclinedInsufficientFunds"));
        assertThat(o.disposition(), is(Disposition.DECLINED));
        assertThat(o.failureCode(), is("insufficient_funds"));
    }

    @Test
    void thePaidIntentReportsPaid() throws Exception {
        PaymentGateway.ChargeOutcome paid = gateway().charge(charge("pm_card_visa"));
        assertThat(gateway().status(paid.providerReference()).disposition(), is(Disposition.PAID));
    }

    @Test
    void aPaidPaymentIsRefunded() throws Exception {
        PaymentGateway.ChargeRequest request = charge("pm_card_visa");
        PaymentGateway.ChargeOutcome paid = gateway().charge(request);
        PaymentGateway.RefundOutcome refund = gateway().refund(new PaymentGateway.RefundCall(
                "ref_" + request.paymentId(), request.paymentId(), paid.providerReference(), 200));
        assertThat(refund.outcome(), is(PaymentGateway.RefundOutcome.REFUNDED));
        assertThat(refund.providerReference(), notNullValue());
    }
}
