package org.openparking.bench;

import java.util.ArrayList;
import java.util.List;

/** A markdown table of figures, each beside the baseline measured in the same run. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    void row(String figure, String value, String baseline, String note) {
        rows.add(new String[] {figure, value, baseline, note});
    }

    String markdown() {
        StringBuilder sb = new StringBuilder("| figure | measured | baseline in the same run | note |\n|---|---|---|---|\n");
        for (String[] r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return sb.toString();
    }
}
