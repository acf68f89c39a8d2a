package org.openparking.edge.sync;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.logging.Logger;
import org.openparking.platform.amqp.BrokerLink;
import org.openparking.platform.amqp.Topology;

/**
 * What an edge needs on the broker: the exchanges it publishes to and its own queue. The edge declares
 * them itself (idempotent), unless the broker refuses (403): with the Ansible rabbitmq role the broker
 * owns the topology and an edge may configure nothing shared, so it only checks passively that what it
 * uses is there.
 */
final class EdgeTopology {
    private static final Logger LOG = Logger.getLogger(EdgeTopology.class.getName());

    private EdgeTopology() {
    }

    /** A channel on which this edge's names exist. */
    static Channel declaredChannel(BrokerLink link, String edgeId) throws IOException {
        Channel ch = link.createChannel();
        try {
            Topology.declareEdgePublishing(ch);
            Topology.declareEdgeQueue(ch, edgeId);
            return ch;
        } catch (IOException e) {
            if (!(e.getCause() instanceof ShutdownSignalException sse)
                    || !(sse.getReason() instanceof AMQP.Channel.Close close) || close.getReplyCode() != 403) {
                throw e;
            }
            LOG.info(() -> "broker refused declarations (" + close.getReplyText() + "): topology is managed by the"
                    + " broker, checking it passively");
            Channel passive = link.createChannel();
            passive.exchangeDeclarePassive(Topology.EVENTS_EXCHANGE);
            passive.exchangeDeclarePassive(Topology.PAYMENTS_EXCHANGE);
            passive.queueDeclarePassive(Topology.edgeQueue(edgeId));
            return passive;
        }
    }
}
