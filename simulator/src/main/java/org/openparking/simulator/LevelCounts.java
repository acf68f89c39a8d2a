package org.openparking.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.openparking.testing.TestHttp;

/**
 * Each level's count once the traffic is over, beside what it should be: the cars still inside are the ones
 * whose session is open at that level (drive-offs, lost answers), since every car that drove up a ramp came
 * back down before leaving. With ramps, also what each ramp counted and how many passages it could not.
 */
record LevelCounts(List<Level> levels) {
    record Level(String levelId, long occupied, long capacity, long openSessions, long drift, long rampsIn,
                 long rampsOut, long absorbed) {
        long expected() {
            return Math.min(capacity, openSessions);
        }

        boolean matches() {
            return occupied == expected();
        }
    }

    static LevelCounts read(Lot lot) {
        TestHttp http = TestHttp.create();
        List<Level> levels = new ArrayList<>();
        for (Lot.Edge e : lot.edges()) {
            JsonNode a = http.get(e.api() + "/availability").body();
            long open = http.get(e.api() + "/sessions?status=OPEN&limit=1000").body().size();
            long in = 0;
            long out = 0;
            long absorbed = 0;
            for (JsonNode r : http.get(e.api() + "/ramps").body()) {
                in += r.path("in").asLong();
                out += r.path("out").asLong();
                absorbed += r.path("absorbed").asLong();
            }
            levels.add(new Level(e.levelId(), a.path("occupied").asLong(), a.path("capacity").asLong(), open,
                    a.path("drift").asLong(), in, out, absorbed));
        }
        return new LevelCounts(List.copyOf(levels));
    }

    boolean allMatch() {
        return levels.stream().allMatch(Level::matches);
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        for (Level l : levels) {
            s.append("  %s occupied %d, expected %d (open sessions) %s; drift %d".formatted(l.levelId(), l.occupied(),
                    l.expected(), l.matches() ? "ok" : "MISMATCH", l.drift()));
            if (l.rampsIn() + l.rampsOut() + l.absorbed() > 0) {
                s.append("; ramps in %d, out %d, not counted %d".formatted(l.rampsIn(), l.rampsOut(), l.absorbed()));
            }
            s.append('\n');
        }
        return s.toString();
    }
}
