package org.openparking.platform.json;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.Objects;

/**
 * The error shape of every API: {@code {"error": CODE, "message": ...}}, then any {@code details} as
 * further fields of the same object (the edge adds the fee due to a {@code PAYMENT_REQUIRED}).
 */
public record ErrorBody(String error, String message, @JsonIgnore Map<String, Object> details) {
    public ErrorBody {
        Objects.requireNonNull(error, "error");
        details = details == null ? Map.of() : Map.copyOf(details);
        if (details.containsKey("error") || details.containsKey("message")) {
            throw new IllegalArgumentException("details cannot replace error or message");
        }
    }

    public ErrorBody(String error, String message) {
        this(error, message, Map.of());
    }

    @JsonAnyGetter
    Map<String, Object> detailFields() {
        return details;
    }
}
