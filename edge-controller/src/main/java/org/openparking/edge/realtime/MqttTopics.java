package org.openparking.edge.realtime;

/**
 * The level's MQTT topics (ARCHITECTURE.md). {@code prefix} is empty in production; tests use a random one
 * so that they can share the lot's broker.
 */
public record MqttTopics(String prefix, String lotId, String levelId) {
    public MqttTopics {
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix)
                : prefix + "/";
    }

    public String availability() {
        return prefix + "parking/" + lotId + "/levels/" + levelId + "/availability";
    }

    public String status() {
        return prefix + "parking/" + lotId + "/levels/" + levelId + "/status";
    }

    public String lane(String laneId) {
        return prefix + "parking/" + lotId + "/lanes/" + laneId + "/state";
    }
}
