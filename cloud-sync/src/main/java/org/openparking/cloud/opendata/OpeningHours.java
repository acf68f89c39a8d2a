package org.openparking.cloud.opendata;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lot's opening hours in a subset of OpenStreetMap's {@code opening_hours} syntax, the notation the
 * consumers of parking data already read: rules separated by {@code ;}, each {@code 24/7}, or days
 * ({@code Mo-Fr}, {@code Sa,Su}) and/or times ({@code 08:00-18:00,19:00-22:00}, {@code 22:00-02:00} runs past
 * midnight), or days followed by {@code off}/{@code closed}; {@code PH off} (also in a day list, {@code Su,PH off})
 * is accepted but public holidays are not known here, so it changes nothing. A later rule replaces earlier ones for the days it names, as in OSM.
 * Anything else (months, weeks, sunrise, comments, {@code +}) is refused, naming the field and the part.
 *
 * @param text  the text as the operator wrote it
 * @param rules the parsed rules, in order
 */
public record OpeningHours(String text, List<Rule> rules) {
    private static final String FIELD = "openingHours";
    private static final Map<String, DayOfWeek> DAYS = Map.of("Mo", DayOfWeek.MONDAY, "Tu", DayOfWeek.TUESDAY,
            "We", DayOfWeek.WEDNESDAY, "Th", DayOfWeek.THURSDAY, "Fr", DayOfWeek.FRIDAY, "Sa", DayOfWeek.SATURDAY,
            "Su", DayOfWeek.SUNDAY);
    private static final Pattern DAY_RANGE = Pattern.compile("(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?");
    private static final Pattern TIME_RANGE = Pattern.compile("([01]\\d|2[0-3]):([0-5]\\d)-([01]\\d|2[0-4]):([0-5]\\d)");

    public OpeningHours {
        rules = List.copyOf(rules);
    }

    /** One rule: {@code days} empty means every day; {@code intervals} empty with {@code off} false means all day. */
    public record Rule(Set<DayOfWeek> days, List<Interval> intervals, boolean off, boolean publicHolidays) {
        public Rule {
            days = days.isEmpty() ? Set.of() : EnumSet.copyOf(days);
            intervals = List.copyOf(intervals);
        }

        boolean covers(DayOfWeek day) {
            return !publicHolidays && (days.isEmpty() || days.contains(day));
        }
    }

    /** From {@code start} to {@code end} on the rule's day; {@code end} not after {@code start} runs into the next day. */
    public record Interval(LocalTime start, LocalTime end, boolean endOfDay) {
        boolean overnight() {
            return !endOfDay && !end.isAfter(start);
        }
    }

    /** Parses {@code text}; an {@link IllegalArgumentException} names the field and what is not understood. */
    public static OpeningHours parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(FIELD + " is empty");
        }
        if (text.length() > 255) {
            throw new IllegalArgumentException(FIELD + " is longer than 255 characters");
        }
        List<Rule> rules = new ArrayList<>();
        for (String part : text.split(";", -1)) {
            String rule = part.trim();
            if (rule.isEmpty()) {
                throw new IllegalArgumentException(FIELD + " has an empty rule in '" + text + "'");
            }
            rules.add(rule(rule));
        }
        return new OpeningHours(text.trim(), rules);
    }

    private static Rule rule(String rule) {
        if (rule.equals("24/7")) {
            return new Rule(Set.of(), List.of(), false, false);
        }
        String[] tokens = rule.split("\\s+");
        if (tokens[0].equals("PH")) {
            if (tokens.length == 2 && (tokens[1].equals("off") || tokens[1].equals("closed"))) {
                return new Rule(Set.of(), List.of(), true, true);
            }
            throw unsupported(rule, "only 'PH off' is supported for public holidays");
        }
        int i = 0;
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        if (DAY_RANGE.matcher(tokens[0].split(",")[0]).matches()) {
            days = days(tokens[0], rule);
            i = 1;
        }
        if (i == tokens.length) {
            if (days.isEmpty()) {
                throw unsupported(rule, "no days and no times");
            }
            return new Rule(days, List.of(), false, false);
        }
        if (i == tokens.length - 1 && (tokens[i].equals("off") || tokens[i].equals("closed"))) {
            return new Rule(days, List.of(), true, false);
        }
        if (i != tokens.length - 1) {
            throw unsupported(rule, "expected days, then times or 'off'");
        }
        List<Interval> intervals = new ArrayList<>();
        for (String range : tokens[i].split(",", -1)) {
            Matcher m = TIME_RANGE.matcher(range);
            if (!m.matches()) {
                throw unsupported(rule, "'" + range + "' is not a time range such as 08:00-18:00");
            }
            LocalTime start = LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            int endHour = Integer.parseInt(m.group(3));
            int endMinute = Integer.parseInt(m.group(4));
            if (endHour == 24 && endMinute != 0) {
                throw unsupported(rule, "'" + range + "' ends after 24:00");
            }
            boolean endOfDay = endHour == 24;
            LocalTime end = endOfDay ? LocalTime.MAX : LocalTime.of(endHour, endMinute);
            if (!endOfDay && end.equals(start)) {
                throw unsupported(rule, "'" + range + "' is empty");
            }
            intervals.add(new Interval(start, end, endOfDay));
        }
        return new Rule(days, intervals, false, false);
    }

    private static Set<DayOfWeek> days(String token, String rule) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String range : token.split(",", -1)) {
            if (range.equals("PH")) {
                // "Su,PH off": public holidays are not known here, the rule stands for its week days.
                continue;
            }
            Matcher m = DAY_RANGE.matcher(range);
            if (!m.matches()) {
                throw unsupported(rule, "'" + range + "' is not a day or day range such as Mo-Fr");
            }
            DayOfWeek from = DAYS.get(m.group(1));
            DayOfWeek to = m.group(2) == null ? from : DAYS.get(m.group(2));
            // Fr-Mo wraps over the week end, as in OSM.
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                days.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return days;
    }

    private static IllegalArgumentException unsupported(String rule, String why) {
        return new IllegalArgumentException(FIELD + ": cannot use rule '" + rule + "': " + why);
    }

    /** Whether the lot is open at this local time of its time zone. */
    public boolean isOpen(LocalDateTime at) {
        LocalTime time = at.toLocalTime();
        Rule today = effective(at.getDayOfWeek());
        if (today != null && !today.off()) {
            if (today.intervals().isEmpty()) {
                return true;
            }
            for (Interval interval : today.intervals()) {
                boolean afterStart = !time.isBefore(interval.start());
                if (interval.overnight() ? afterStart : afterStart && (interval.endOfDay()
                        || time.isBefore(interval.end()))) {
                    return true;
                }
            }
        }
        // The part of yesterday's overnight range after midnight.
        Rule yesterday = effective(at.getDayOfWeek().minus(1));
        if (yesterday != null && !yesterday.off()) {
            for (Interval interval : yesterday.intervals()) {
                if (interval.overnight() && time.isBefore(interval.end())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The last rule naming {@code day}: later rules override earlier ones. */
    private Rule effective(DayOfWeek day) {
        Rule found = null;
        for (Rule rule : rules) {
            if (rule.covers(day)) {
                found = rule;
            }
        }
        return found;
    }
}
