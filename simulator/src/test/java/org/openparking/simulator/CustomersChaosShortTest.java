package org.openparking.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's customers on a real lot (two packaged edges on SQLite, cloud-sync on PostgreSQL, RabbitMQ, a payment
 * worker on the Stripe stand-in): permit holders (some suspended), validated shoppers, coupon users, pre-booked cars
 * and pay-by-plate drivers whose exit camera misreads, while the edges' broker link is cut again and again. No
 * permit holder the rules let in may be refused, also offline; every refusal is counted under its named reason;
 * validated shoppers pay less by their line items; every acknowledged session reaches the cloud once.
 */
@Tag("chaos")
class CustomersChaosShortTest {

    @Test
    void permitHoldersAreNeverRefusedOfflineAndEveryRefusalIsNamed() throws Exception {
        Cli cli = new Cli(new String[] {"--duration", "40s", "--cars", "48", "--levels", "2", "--workers", "1",
                "--occupancy", "counting", "--spots", "200", "--faults", "cut", "--chaos-every", "3s", "--cut", "10s",
                "--declines", "0", "--drive-offs", "0", "--permits", "0.3", "--validated", "0.15", "--coupons", "0.15",
                "--reserved", "0.1", "--ticketless", "0.2", "--plate-errors", "0.5", "--drain-timeout", "2m"},
                ChaosSuite.OPTIONS);

        ChaosSuite.Result result = ChaosSuite.run(ChaosSuite.options(cli), System.out);
        CustomersReport c = result.customers();

        assertThat(result.actions().stream().map(a -> a.contains("cut every edge") ? "cut" : "other").toList(),
                hasItem("cut"));
        assertThat("permit holders came in while their level was offline", c.permitEntriesOffline(), greaterThan(0L));
        assertThat("no permit holder whose rules allow entry was refused", c.permitRefusals(), is(empty()));
        assertThat("suspended permits refused by name", c.refused("PERMIT_SUSPENDED"), greaterThan(0L));
        assertThat("bad exit-camera reads fell back by name", c.refused("LOW_CONFIDENCE") + c.refused("NO_PLATE_READ")
                + c.refused("UNKNOWN_VEHICLE"), greaterThan(0L));
        assertThat("the report names the reasons", c.table(), containsString("| PERMIT_SUSPENDED |"));
        assertThat("the single-use coupon refused after its use", c.refused("COUPON_USED_UP"), greaterThan(0L));
        assertThat("some drivers paid by plate", c.ticketlessExits(), greaterThan(0L));
        assertThat("pre-booked cars came in", c.reservedEntries(), greaterThan(0L));
        assertThat("coupons applied", c.couponsApplied(), greaterThan(0L));
        assertThat("validated shoppers left", c.validatedExits(), greaterThan(0L));
        assertThat("each validated shopper's VALIDATION line took something off", c.validatedPaidLess(),
                is(c.validatedExits()));
        assertThat("validated shoppers paid less", c.validatedAfter(), lessThan(c.validatedBefore()));
        assertThat("line items add up to every fee", c.lineItemMismatches(), is(0L));
        assertThat("the run passes", result.passed(), is(true));

        assertThat("drained: outboxes and queues empty", result.drained(), is(true));
        for (CountingReport.Row row : result.report().rows()) {
            assertThat(row.what() + ": missing", row.missing(), is(0L));
            assertThat(row.what() + ": duplicated", row.duplicated(), is(0L));
            assertThat(row.what() + ": double-charged", row.doubleCharged(), is(0L));
        }
        assertThat("sessions were acknowledged", result.report().rows().getFirst().expected(), greaterThan(0L));
    }
}
