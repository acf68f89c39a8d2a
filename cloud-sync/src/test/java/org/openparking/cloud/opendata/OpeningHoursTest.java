package org.openparking.cloud.opendata;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The OSM opening_hours subset: what is open when, and that anything outside the subset is refused by name. */
class OpeningHoursTest {
    /** Day 1 = Monday 2026-03-02 ... 7 = Sunday 2026-03-08. */
    private static LocalDateTime at(int day, String time) {
        return LocalDateTime.parse("2026-03-0" + (day + 1) + "T" + time);
    }

    @ParameterizedTest(name = "{0} at day {1} {2}: {3}")
    @CsvSource(delimiter = '|', value = {
            "24/7|6|03:00|true",
            "Mo-Fr 08:00-18:00|1|07:59|false",
            "Mo-Fr 08:00-18:00|1|08:00|true",
            "Mo-Fr 08:00-18:00|1|18:00|false",
            "Mo-Fr 08:00-18:00|6|12:00|false",
            "Mo-Fr 08:00-18:00; Sa 10:00-14:00|6|12:00|true",
            "Mo-Sa 07:00-22:00; Su off|7|12:00|false",
            "Mo-Su 00:00-24:00; We off|3|12:00|false",
            "Mo-Su 00:00-24:00; We off|4|12:00|true",
            "Fr-Mo 09:00-12:00|1|10:00|true",
            "Fr-Mo 09:00-12:00|3|10:00|false",
            "Mo-Fr 08:00-12:00,13:00-18:00|2|12:30|false",
            "Mo-Fr 08:00-12:00,13:00-18:00|2|13:30|true",
            // 22:00-02:00 on Friday runs into Saturday morning, not into Friday morning.
            "Fr 22:00-02:00|5|23:00|true",
            "Fr 22:00-02:00|6|01:00|true",
            "Fr 22:00-02:00|5|01:00|false",
            "08:00-20:00; PH off|7|09:00|true",
            "Sa,Su|7|09:00|true",
            "Mo-Sa 08:00-20:00; Su,PH off|7|09:00|false",
            "Mo-Sa 08:00-20:00; Su,PH off|6|09:00|true",
            "Sa,Su|1|09:00|false"})
    void openWhenTheLastRuleNamingTheDaySaysSo(String hours, int day, String time, boolean open) {
        LocalDateTime when = at(day, time);
        assertThat(hours + " at " + when, OpeningHours.parse(hours).isOpen(when), is(open));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Jan-Mar 08:00-18:00", "Mo-Fr 08:00-18:00 \"call us\"", "sunrise-sunset",
            "Mo-Fr 8:00-18:00", "Mo-Fr 08:00-25:00", "Mo-Fr 08:00+", "PH 10:00-12:00", "Mo-Fr 08:00-08:00",
            "week 1-53 Mo 08:00-10:00", "Mo-Fr 08:00-18:00;", "Xy 08:00-18:00", "Mo-Fr 24:30-25:00"})
    void refusesWhatItDoesNotUnderstandNamingTheField(String hours) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpeningHours.parse(hours));
        assertThat(e.getMessage(), containsString("openingHours"));
    }

    @Test
    void aLaterRuleReplacesAnEarlierOneForItsDaysOnly() {
        OpeningHours h = OpeningHours.parse("Mo-Su 06:00-23:00; Sa 10:00-12:00");
        assertThat(h.isOpen(at(6, "07:00")), is(false));
        assertThat(h.isOpen(at(6, "11:00")), is(true));
        assertThat(h.isOpen(at(5, "07:00")), is(true));
    }
}
