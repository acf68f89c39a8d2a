package org.openparking.cloud;

import org.openparking.testing.TestHttp;
import org.openparking.testing.TestHttp.Response;

/** The cloud-sync API over real HTTP: a base URL and, optionally, a bearer token for every request. */
final class ApiClient {
    private final TestHttp http = TestHttp.create();
    private final String baseUrl;
    private final String[] auth;

    ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
        this.auth = new String[0];
    }

    /** Sends {@code Authorization: Bearer token} with every request. */
    ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.auth = new String[] {"Authorization", "Bearer " + token};
    }

    Response get(String pathAndQuery) {
        return http.get(baseUrl + pathAndQuery, auth);
    }

    Response post(String path, String json) {
        return http.post(baseUrl + path, json, auth);
    }

    Response put(String path, String json) {
        return http.put(baseUrl + path, json, auth);
    }
}
