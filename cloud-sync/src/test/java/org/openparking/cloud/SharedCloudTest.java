package org.openparking.cloud;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one {@link CloudFixture} (started before the first test of the class, closed
 * after its last) and an admin's {@link ApiClient} on it. The fields are static for JUnit's class lifecycle; test
 * classes run one after another here, each with its own cloud.
 */
abstract class SharedCloudTest {
    static CloudFixture cloud;
    static ApiClient api;

    @BeforeAll
    static void startCloud() throws Exception {
        cloud = CloudFixture.start();
        api = new ApiClient(cloud.baseUrl(), cloud.adminToken());
    }

    @AfterAll
    static void stopCloud() throws Exception {
        if (cloud != null) {
            cloud.close();
            cloud = null;
            api = null;
        }
    }
}
