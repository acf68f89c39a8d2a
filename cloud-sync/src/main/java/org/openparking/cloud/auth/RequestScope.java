package org.openparking.cloud.auth;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Optional;

/**
 * The caller of the request being handled, bound by {@link AuthFilter} for the handler's duration
 * (Helidon runs a request's filters and handler on one virtual thread). Lets code that does not
 * know about auth (the JSON writer, the audited data source) scope what it does to the caller.
 */
public final class RequestScope {
    private static final ThreadLocal<Principal> CALLER = new ThreadLocal<>();

    private RequestScope() {
    }

    public static Optional<Principal> caller() {
        return Optional.ofNullable(CALLER.get());
    }

    /** Runs {@code work} with {@code caller} bound, and unbinds it afterwards. */
    static void run(Principal caller, Runnable work) {
        Principal previous = CALLER.get();
        CALLER.set(caller);
        try {
            work.run();
        } finally {
            if (previous == null) {
                CALLER.remove();
            } else {
                CALLER.set(previous);
            }
        }
    }

    /**
     * Drops from a list response every element (a record with a {@code lotId} component) of a lot
     * the caller may not see. Anything else is returned unchanged.
     */
    public static Object visible(Object body) {
        Principal p = CALLER.get();
        if (p == null || p.platform() || !(body instanceof List<?> list)) {
            return body;
        }
        return list.stream().filter(e -> p.sees(lotOf(e))).toList();
    }

    private static String lotOf(Object element) {
        if (element != null && element.getClass().isRecord()) {
            for (RecordComponent c : element.getClass().getRecordComponents()) {
                if (c.getName().equals("lotId")) {
                    try {
                        return (String) c.getAccessor().invoke(element);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        // An element that names no lot is not shown to a tenant: fail closed.
        return null;
    }
}
