package org.openparking.cloud.auth;

import java.util.Locale;

/** Roles in increasing order of power: each role may do everything the ones before it may. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public boolean atLeast(Role required) {
        return compareTo(required) >= 0;
    }

    public String claim() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("role is required (viewer, operator or admin)");
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("role must be viewer, operator or admin, was " + text);
        }
    }
}
