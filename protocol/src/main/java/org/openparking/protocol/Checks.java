package org.openparking.protocol;

/** Validation used by the records' compact constructors. */
public final class Checks {
    private Checks() {
    }

    public static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    /** Longest id an envelope may carry: far above any id we mint, far below a database row limit. */
    public static final int MAX_ID_LENGTH = 200;

    /**
     * Longest plate a message may carry: the edge stores 1-12 letters and digits (spaces and dashes
     * dropped), so 32 leaves room for any plate written with separators, and none for a payload.
     */
    public static final int MAX_PLATE_LENGTH = 32;

    /** Longest other text a message may carry (a reason, a failure message, a JWK): 4,096 characters. */
    public static final int MAX_TEXT_LENGTH = 4096;

    /** An envelope's id or address: text, at most {@link #MAX_ID_LENGTH} characters. */
    public static String requireId(String value, String name) {
        requireText(value, name);
        requireMaxLength(value, name);
        return value;
    }

    /** At most {@link #MAX_ID_LENGTH} characters (null passes: presence is checked elsewhere). */
    public static String requireMaxLength(String value, String name) {
        if (value != null && value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(name + " is longer than " + MAX_ID_LENGTH + " characters ("
                    + value.length() + ")");
        }
        return value;
    }

    public static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    public static long requireNonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    public static String requireCurrency(String currency) {
        requireText(currency, "currency");
        if (!currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency must be an ISO 4217 code such as EUR, was " + currency);
        }
        return currency;
    }
}
