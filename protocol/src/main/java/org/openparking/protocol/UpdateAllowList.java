package org.openparking.protocol;

import java.util.List;

/** Replace the plates that enter and leave without a fee (staff, residents). */
public record UpdateAllowList(int version, List<String> plates) implements Message.Command {
    public UpdateAllowList {
        plates = List.copyOf(Checks.requireNonNull(plates, "plates"));
    }
}
