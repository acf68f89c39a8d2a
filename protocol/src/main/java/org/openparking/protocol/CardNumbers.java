package org.openparking.protocol;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Card numbers (PANs) must never reach the edge or the worker: both only ever get payment-method tokens
 * (rule 5). A card number here is a run of 13 to 19 digits, single spaces or dashes allowed between
 * them, that passes the Luhn check every card number carries; so order numbers, sequence numbers and
 * timestamps are neither refused nor redacted.
 */
public final class CardNumbers {
    public static final String REDACTED = "[redacted]";
    private static final Pattern PAN = Pattern.compile("\\d(?:[ -]?\\d){12,18}");
    private static final Pattern PAN_IN_TEXT = Pattern.compile("(?<!\\d)\\d(?:[ -]?\\d){12,18}(?!\\d)");

    private CardNumbers() {
    }

    /** True when the whole value (trimmed) is a card number. */
    public static boolean looksLikePan(String value) {
        return value != null && PAN.matcher(value.trim()).matches() && luhn(value);
    }

    /** The text with every card number in it replaced by {@value #REDACTED}. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = PAN_IN_TEXT.matcher(text);
        return m.replaceAll(r -> luhn(r.group()) ? REDACTED : Matcher.quoteReplacement(r.group()));
    }

    /** A message body (UTF-8) with every card number in it redacted. */
    public static byte[] redact(byte[] body) {
        return redact(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    /** The Luhn (mod 10) check over the digits of {@code s}, ignoring everything else. */
    static boolean luhn(String s) {
        int sum = 0;
        boolean doubled = false;
        for (int i = s.length() - 1; i >= 0; i--) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                continue;
            }
            int d = ch - '0';
            if (doubled) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
