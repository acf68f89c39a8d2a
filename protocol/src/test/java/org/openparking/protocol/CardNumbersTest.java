package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one card-number rule of the edge and the worker: 13-19 digit runs that pass the Luhn check. */
class CardNumbersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "4242424242424242      | true",   // Visa test card
            "4242 4242 4242 4242   | true",
            "4242-4242-4242-4242   | true",
            "' 4242424242424242 '  | true",   // surrounding blanks do not hide it
            "378282246310005       | true",   // Amex, 15 digits
            "4000056655665556      | true",
            "6011111111111117      | true",   // Discover
            "4222222222222         | true",   // 13 digits
            "4242424242424241      | false",  // Luhn fails: a typo, an order number
            "123456789012          | false",  // 12 digits
            "12345678901234567890  | false",  // 20 digits
            "4242  4242 4242 4242  | false",  // not a single separator
            "4242/4242/4242/4242   | false",
            "pm_card_visa          | false",
            "tok_visa              | false",
            "''                    | false",
    })
    void tellsCardNumbersFromTokens(String value, boolean pan) {
        assertThat(CardNumbers.looksLikePan(value), is(pan));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"paymentMethod\":\"4242 4242 4242 4242\",\"seq\":12} | {\"paymentMethod\":\"[redacted]\",\"seq\":12}",
            "card 378282246310005 declined                         | card [redacted] declined",
            "2026-11-25T00:18:34Z                                  | 2026-11-25T00:18:34Z",
            "order 4242424242424241                                | order 4242424242424241",
            "seq 1234567890123456789012                            | seq 1234567890123456789012",
    })
    void redactsOnlyCardNumbers(String text, String redacted) {
        assertThat(CardNumbers.redact(text), is(redacted));
    }

    @Property
    void everyValidCardNumberIsRefusedAndRedactedWhateverItsSeparators(@ForAll("pans") String pan) {
        assertThat(CardNumbers.looksLikePan(pan), is(true));
        String body = "{\"paymentMethod\":\"" + pan + "\",\"seq\":7}";
        String redacted = CardNumbers.redact(body);
        assertThat(redacted, containsString(CardNumbers.REDACTED));
        assertThat(redacted.replaceAll("[ -]", ""), not(containsString(pan.replaceAll("[ -]", ""))));
    }

    @Property
    void oneMistypedDigitMakesItNoCardNumber(@ForAll("pans") String pan, @ForAll("digitIndex") int index,
                                             @ForAll("nonZero") int delta) {
        String digits = pan.replaceAll("[ -]", "");
        int i = index % digits.length();
        char changed = (char) ('0' + (digits.charAt(i) - '0' + delta) % 10);
        String typo = digits.substring(0, i) + changed + digits.substring(i + 1);
        // Luhn catches every single-digit error.
        assertThat(CardNumbers.looksLikePan(typo), is(false));
        assertThat(CardNumbers.redact(typo), is(typo));
    }

    @Provide
    Arbitrary<String> pans() {
        Arbitrary<String> body = Arbitraries.strings().numeric().ofMinLength(12).ofMaxLength(18);
        Arbitrary<String> separator = Arbitraries.of("", " ", "-");
        return Combinators.combine(body, separator).as((digits, sep) -> {
            String pan = digits + checkDigit(digits);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < pan.length(); i++) {
                if (i > 0 && i % 4 == 0) {
                    out.append(sep);
                }
                out.append(pan.charAt(i));
            }
            return out.toString();
        });
    }

    @Provide
    Arbitrary<Integer> digitIndex() {
        return Arbitraries.integers().between(0, 18);
    }

    @Provide
    Arbitrary<Integer> nonZero() {
        return Arbitraries.integers().between(1, 9);
    }

    /** The digit that makes {@code digits + it} pass the Luhn check. */
    private static char checkDigit(String digits) {
        for (char c = '0'; c <= '9'; c++) {
            if (CardNumbers.luhn(digits + c)) {
                return c;
            }
        }
        throw new AssertionError("no check digit for " + digits);
    }
}
