package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TariffTest {
    @Test
    void amountsAreNonNegativeAndBoundedNamingTheField() {
        long max = Tariff.MAX_AMOUNT;
        new Tariff(1, "EUR", 0, 1, max, max, max);
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new Tariff(1, "EUR", 0, 1, max + 1, 0, 0)).getMessage(), containsString("pricePerPeriod"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new Tariff(1, "EUR", 0, 1, 0, Long.MAX_VALUE, 0)).getMessage(), containsString("dailyCap"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new Tariff(1, "EUR", 0, 1, 0, 0, max + 1)).getMessage(), containsString("lostTicketFee"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new Tariff(1, "EUR", 0, 1, -1, 0, 0)).getMessage(), containsString("pricePerPeriod"));
    }
}
