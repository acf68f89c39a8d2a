package org.openparking.edge.occupancy;

import org.openparking.firmware.LevelSign;
import org.openparking.firmware.SignContent;

/** Shows the level's availability on its LED sign: free spaces, FULL or CLOSED. */
public final class SignDriver {
    private final LevelSign sign;

    public SignDriver(LevelSign sign) {
        this.sign = sign;
    }

    public void show(Availability a) {
        sign.show(contentFor(a));
    }

    static SignContent contentFor(Availability a) {
        return switch (a.status()) {
            case CLOSED -> new SignContent.Closed();
            case FULL -> new SignContent.Full();
            case OPEN -> new SignContent.Free(a.free());
        };
    }
}
