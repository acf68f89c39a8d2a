package org.openparking.cloud.opendata;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The checks of our documents against their specifications: JSON Schema (networknt, 2020-12) for ParkAPI
 * and APDS, xmllint against the XSD for DATEX II. The schemas are test resources under {@code open-data/},
 * each folder with a README naming its source and licence.
 */
final class Specs {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private Specs() {
    }

    /** The violations of {@code document} against the schema at {@code resource} (under open-data/). */
    static List<String> jsonErrors(String resource, JsonNode document) {
        return REGISTRY.getSchema(SchemaLocation.of("classpath:open-data/" + resource)).validate(document).stream()
                .map(Error::toString).toList();
    }

    /** xmllint's verdict on {@code xml} against the DATEX II XSD: its exit status and output. */
    static XmlVerdict xmllint(String xml, Path dir) throws IOException, InterruptedException, URISyntaxException {
        return xmllint(xml, dir, "datex2/datex2-parking-light.xsd");
    }

    /** xmllint's verdict on {@code xml} against the XSD at {@code resource} (under open-data/). */
    static XmlVerdict xmllint(String xml, Path dir, String resource)
            throws IOException, InterruptedException, URISyntaxException {
        Path file = Files.createTempFile(dir, "datex2-", ".xml");
        Files.writeString(file, xml, StandardCharsets.UTF_8);
        Path xsd = Path.of(Specs.class.getResource("/open-data/" + resource).toURI());
        Process p = new ProcessBuilder("xmllint", "--noout", "--schema", xsd.toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("xmllint did not finish");
        }
        return new XmlVerdict(p.exitValue(), out);
    }

    record XmlVerdict(int exit, String output) {
        boolean valid() {
            return exit == 0;
        }
    }
}
