package org.openparking.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.IOException;
import org.openparking.protocol.Json;

/** The cloud-sync API over real HTTP. */
final class ApiClient {
    private final WebClient client;

    ApiClient(String baseUrl) {
        client = WebClient.builder().baseUri(baseUrl).build();
    }

    /** Sends {@code Authorization: Bearer token} with every request. */
    ApiClient(String baseUrl, String token) {
        client = WebClient.builder().baseUri(baseUrl)
                .addHeader(HeaderNames.AUTHORIZATION, "Bearer " + token).build();
    }

    /** Status and JSON body (null when empty). */
    record Response(int status, JsonNode body, String text) {
        String error() {
            return body == null ? null : body.path("error").asText(null);
        }
    }

    Response get(String pathAndQuery) {
        String[] parts = pathAndQuery.split("\\?", 2);
        var request = client.get().path(parts[0]);
        if (parts.length == 2) {
            for (String pair : parts[1].split("&")) {
                String[] kv = pair.split("=", 2);
                request.queryParam(kv[0], kv.length == 2 ? kv[1] : "");
            }
        }
        try (HttpClientResponse r = request.request()) {
            return response(r);
        }
    }

    Response post(String path, String json) {
        return send(Method.POST, path, json);
    }

    Response put(String path, String json) {
        return send(Method.PUT, path, json);
    }

    private Response send(Method method, String path, String json) {
        try (HttpClientResponse r = client.method(method).path(path)
                .header(HeaderNames.CONTENT_TYPE, "application/json").submit(json)) {
            return response(r);
        }
    }

    private static Response response(HttpClientResponse r) {
        String text = r.entity().hasEntity() ? r.as(String.class) : "";
        try {
            return new Response(r.status().code(), text.isEmpty() ? null : Json.mapper().readTree(text), text);
        } catch (IOException e) {
            return new Response(r.status().code(), null, text);
        }
    }
}
