package org.openparking.edge.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openparking.testing.OpenApiCheck;

/**
 * docs/api.md's error-code table and the codes the edge can answer are the same set: every code written in
 * the edge's sources (and the platform's HTTP error mapping it registers) is in the table, and every code in
 * the table is written somewhere in those sources. A new code without a doc row, or a row for a code no
 * longer sent, fails here with its name.
 */
class ErrorCodesDocumentedTest {
    private static final Path EDGE_SOURCES = Path.of("src/main/java");
    private static final Path PLATFORM_HTTP = Path.of("../platform/src/main/java/org/openparking/platform/json");
    private static final Path API_DOC = Path.of("../docs/api.md");
    private static final String CODE = "\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\"";
    private static final List<Pattern> EMITTERS = List.of(
            Pattern.compile("ParkingException\\(\\s*(?:ParkingException\\.)?Kind\\.\\w+,\\s*" + CODE),
            Pattern.compile("HttpErrors\\.send\\(\\s*\\w+,\\s*Status\\.\\w+,\\s*" + CODE),
            Pattern.compile("new ErrorBody\\(\\s*(?:[^,\"]*\\?\\s*" + CODE + "\\s*:\\s*)?" + CODE),
            Pattern.compile("case \\d+ -> new ErrorBody\\(" + CODE),
            Pattern.compile("new HttpErrors\\.BodyCodes\\(" + CODE + ",\\s*" + CODE));

    static Set<String> emitted() {
        return OpenApiCheck.codesIn(List.of(EDGE_SOURCES, PLATFORM_HTTP), EMITTERS);
    }

    /** The backticked codes of the "Error codes" section. */
    static Set<String> documented() throws IOException {
        String doc = Files.readString(API_DOC);
        int start = doc.indexOf("## Error codes");
        int end = doc.indexOf("\n## ", start + 1);
        String table = doc.substring(start, end < 0 ? doc.length() : end);
        Set<String> codes = new TreeSet<>();
        Matcher m = Pattern.compile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)`").matcher(table);
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }

    @Test
    void everyCodeTheEdgeSendsIsInTheTableAndEveryRowIsSent() throws IOException {
        Set<String> emitted = emitted();
        Set<String> documented = documented();
        // The scan itself must see the codes it is meant to see, or an empty scan would pass.
        assertThat(emitted, hasItems("TICKET_REQUIRED", "LANE_BUSY", "STORAGE_UNAVAILABLE", "FOREIGN_ORIGIN",
                "NOT_FOUND", "PAYLOAD_TOO_LARGE", "MALFORMED_JSON", "INTERNAL_ERROR"));
        Set<String> undocumented = new TreeSet<>(emitted);
        undocumented.removeAll(documented);
        assertThat("sent by the edge, missing from docs/api.md's error-code table", undocumented, empty());
        Set<String> neverSent = new TreeSet<>(documented);
        neverSent.removeAll(emitted);
        assertThat("in docs/api.md's error-code table, sent nowhere", neverSent, empty());
    }
}
