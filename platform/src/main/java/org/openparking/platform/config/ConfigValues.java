package org.openparking.platform.config;

import io.helidon.config.Config;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Typed values of a section, for the settings records' {@code create(Config)}. Every key must be present (its
 * default lives in {@code application.yaml}), and a value that does not parse fails with a
 * {@link ConfigException} naming the full key and the value.
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    public static String text(Config section, String key) {
        Config node = section.get(key);
        return node.asString().orElseThrow(() -> new ConfigException(node.key().toString(), "is missing"));
    }

    public static int integer(Config section, String key) {
        String text = text(section, key);
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(section, key, "a whole number", text, e);
        }
    }

    public static long longInteger(Config section, String key) {
        String text = text(section, key);
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(section, key, "a whole number", text, e);
        }
    }

    public static double decimal(Config section, String key) {
        String text = text(section, key);
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(section, key, "a number", text, e);
        }
    }

    /** An ISO-8601 duration such as {@code PT5S}, {@code PT0.5S} or {@code P7D}. */
    public static Duration duration(Config section, String key) {
        String text = text(section, key);
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw invalid(section, key, "an ISO-8601 duration such as PT5S", text, e);
        }
    }

    /** One of the enum's constants, in any case ({@code simulated} for {@code SIMULATED}). */
    public static <E extends Enum<E>> E oneOf(Config section, String key, Class<E> type) {
        String text = text(section, key);
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(section, key, "one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT),
                    text, e);
        }
    }

    /** A YAML list of strings; an empty list {@code []} is a value, a missing key is not. */
    public static List<String> texts(Config section, String key) {
        Config node = section.get(key);
        if (!node.exists()) {
            throw new ConfigException(node.key().toString(), "is missing");
        }
        return node.asList(String.class).orElseThrow(() -> new ConfigException(node.key().toString(),
                "must be a list of strings"));
    }

    private static ConfigException invalid(Config section, String key, String expected, String text,
                                           RuntimeException cause) {
        return new ConfigException(section.get(key).key().toString(), "must be " + expected + ", was '" + text + "'",
                cause);
    }
}
