package org.openparking.cloud.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of one set-based statement, column by column: each column is bound as one {@code text[]}
 * and cast in SQL ({@code unnest(?::text[], ?::bigint[], ...)}), so a whole batch is one statement and one
 * round trip instead of one per row.
 */
final class Columns {
    private final List<List<String>> columns = new ArrayList<>();
    private int rows;

    Columns(int count) {
        for (int i = 0; i < count; i++) {
            columns.add(new ArrayList<>());
        }
    }

    /** Appends one row; its values in column order. */
    Columns row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        }
        for (int i = 0; i < values.length; i++) {
            columns.get(i).add(text(values[i]));
        }
        rows++;
        return this;
    }

    boolean isEmpty() {
        return rows == 0;
    }

    /** One {@code String[]} per column, for {@code Jdbc.bind}. */
    Object[] params() {
        return columns.stream().map(c -> c.toArray(String[]::new)).toArray();
    }

    private static String text(Object value) {
        return switch (value) {
            case null -> null;
            case Instant instant -> instant.toString();
            case Enum<?> e -> e.name();
            default -> String.valueOf(value);
        };
    }
}
