package org.openparking.cloud.opendata;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openparking.testing.TestHttp;

/**
 * A test class whose tests share one {@link OpenDataFixture} (default settings) with two tenants logged in:
 * {@code olga} operates lot A, {@code bob} lot B. Static for JUnit's class lifecycle; each class has its own.
 */
abstract class TwoTenantsTest {
    /** Where the APDS answers are written for the spec check of CI. */
    static final Path SAMPLES = Path.of(System.getProperty("open-data.samples", "target/open-data-samples"));
    static OpenDataFixture f;
    static String olga;
    static String bob;

    @BeforeAll
    static void startWithTwoTenants() throws Exception {
        f = OpenDataFixture.start(OpenDataSettings.defaults());
        OpenDataFixture.Tenants tenants = f.operatorsOfAAndB();
        olga = tenants.olga();
        bob = tenants.bob();
    }

    @AfterAll
    static void stopFixture() throws Exception {
        if (f != null) {
            f.close();
            f = null;
        }
    }

    static TestHttp.Response get(String path, String token) {
        return f.get(path, "Authorization", "Bearer " + token);
    }
}
