package org.openparking.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one plate rule of the project, used wherever a plate is stored or compared (entries, exits, the allow-list,
 * permits, reservations, pay-by-plate accounts, the cloud's rules) and by the plate readers.
 *
 * <p>{@link #normalize} is what is stored and shown: upper case, spaces, dashes and dots removed. {@link #key} is
 * what is compared: the normalised plate with the characters plate readers confuse folded onto one (O and Q to 0,
 * I to 1, B to 8), so {@code "AB-O12"} read as {@code "A8012"} is still the same vehicle. Two different plates
 * that differ only in a confusable character (rare, and refused by most registries) share a key; docs/lanes.md
 * states that trade-off.
 */
public final class Plates {
    /** Longest normalised plate: the longest national format is 10; two spare. */
    public static final int MAX_LENGTH = 12;
    private static final Pattern SEPARATORS = Pattern.compile("[\\s.\\-]+");
    private static final Pattern VALID = Pattern.compile("[A-Z0-9]{1," + MAX_LENGTH + "}");

    private Plates() {
    }

    /** The plate as stored: upper case without separators; null for null or blank. */
    public static String normalize(String plate) {
        if (plate == null || plate.isBlank()) {
            return null;
        }
        return SEPARATORS.matcher(plate.trim().toUpperCase(Locale.ROOT)).replaceAll("");
    }

    /** True when the normalised plate is 1-12 letters and digits. */
    public static boolean valid(String normalized) {
        return normalized != null && VALID.matcher(normalized).matches();
    }

    /** The comparison key: the normalised plate with confusable characters folded; null for null or blank. */
    public static String key(String plate) {
        String n = normalize(plate);
        if (n == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(n.length());
        for (int i = 0; i < n.length(); i++) {
            b.append(fold(n.charAt(i)));
        }
        return b.toString();
    }

    /** Whether two plates name the same vehicle under the comparison rule. */
    public static boolean same(String a, String b) {
        String ka = key(a);
        return ka != null && ka.equals(key(b));
    }

    static char fold(char c) {
        return switch (c) {
            case 'O', 'Q' -> '0';
            case 'I' -> '1';
            case 'B' -> '8';
            default -> c;
        };
    }
}
