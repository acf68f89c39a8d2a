package org.openparking.protocol.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every config key can be overridden by an environment variable named after it: upper case,
 * with dots and dashes as underscores ({@code edge.lot-id} ← {@code EDGE_LOT_ID}). Helidon's own
 * mapping needs {@code _dash_} for dashes, which no operator guesses; each service's Main feeds
 * its keys through this instead, so all three services follow one rule.
 */
public final class EnvOverrides {
    private EnvOverrides() {
    }

    /** The environment variable that overrides {@code key}. */
    public static String variableFor(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The overrides found in {@code env} for the given keys, key → value. */
    public static Map<String, String> overrides(Collection<String> keys, Map<String, String> env) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String key : keys) {
            String value = env.get(variableFor(key));
            if (value != null) {
                result.put(key, value);
            }
        }
        return result;
    }
}
