package org.openparking.platform.config;

import io.helidon.config.Config;
import java.time.Duration;
import java.time.DateTimeException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

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
        return parsed(section, key, "a whole number", Integer::parseInt);
    }

    public static long longInteger(Config section, String key) {
        return parsed(section, key, "a whole number", Long::parseLong);
    }

    public static double decimal(Config section, String key) {
        return parsed(section, key, "a number", Double::parseDouble);
    }

    /** An ISO-8601 duration such as {@code PT5S}, {@code PT0.5S} or {@code P7D}. */
    public static Duration duration(Config section, String key) {
        return parsed(section, key, "an ISO-8601 duration such as PT5S", Duration::parse);
    }

    /** One of the enum's constants, in any case ({@code simulated} for {@code SIMULATED}). */
    public static <E extends Enum<E>> E oneOf(Config section, String key, Class<E> type) {
        return parsed(section, key, "one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT),
                t -> Enum.valueOf(type, t.toUpperCase(Locale.ROOT)));
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

    /** The trimmed text parsed by {@code parse}; what it refuses names the key, the expectation and the value. */
    private static <T> T parsed(Config section, String key, String expected, Function<String, T> parse) {
        String text = text(section, key);
        try {
            return parse.apply(text.trim());
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new ConfigException(section.get(key).key().toString(),
                    "must be " + expected + ", was '" + text + "'", e);
        }
    }
}
