package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

class PlatesTest {
    @Test
    void normalisingDropsSeparatorsAndCase() {
        assertThat(Plates.normalize(" ab-12 c.d "), is("AB12CD"));
        assertThat(Plates.normalize("  "), nullValue());
        assertThat(Plates.valid(Plates.normalize("AB 12")), is(true));
        assertThat(Plates.valid(Plates.normalize("AB_12")), is(false));
        assertThat(Plates.valid("ABCDEFGHIJKLM"), is(false));
    }

    @Test
    void theComparisonKeyFoldsWhatReadersConfuse() {
        assertThat(Plates.key("B0-1IO8"), is("801108"));
        assertThat(Plates.same("AB-O12", "A8 012"), is(true));
        assertThat(Plates.same("ab io", "AB10"), is(true));
        // A missed character is a different plate, not a confusion.
        assertThat(Plates.same("AB012", "AB01"), is(false));
        assertThat(Plates.same(null, null), is(false));
        assertThat(Plates.same("XY-1", "XY-7"), is(false));
    }
}
