package org.openparking.payment.worker;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The worker only ever gets payment-method tokens. Anything that looks like a card number (13-19
 * digits, spaces or dashes allowed) is refused, and is redacted from whatever we keep of the
 * message (the dead-lettered body), so no PAN is stored or logged here.
 */
public final class CardNumbers {
    private static final Pattern PAN = Pattern.compile("\\d{13,19}");
    private static final Pattern PAN_IN_TEXT = Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)");
    public static final String REDACTED = "[redacted]";

    private CardNumbers() {
    }

    /** True when the value, without spaces and dashes, is 13 to 19 digits. */
    public static boolean looksLikePan(String value) {
        if (value == null) {
            return false;
        }
        return PAN.matcher(value.replace(" ", "").replace("-", "")).matches();
    }

    /** The text with every 13-19 digit run replaced by {@value #REDACTED}. */
    public static String redact(String text) {
        return text == null ? null : PAN_IN_TEXT.matcher(text).replaceAll(REDACTED);
    }

    /** A message body with every 13-19 digit run redacted. */
    public static byte[] redact(byte[] body) {
        return redact(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }
}
