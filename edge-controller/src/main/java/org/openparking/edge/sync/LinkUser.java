package org.openparking.edge.sync;

import java.io.IOException;
import org.openparking.platform.amqp.BrokerLink;

/** Something that works on the relay's broker link: attached when it connects, again when it is unhealthy. */
interface LinkUser {
    void attach(BrokerLink link) throws IOException;

    /** False when its channels were closed for good (the client recovers only what a lost connection took). */
    boolean healthy();
}
