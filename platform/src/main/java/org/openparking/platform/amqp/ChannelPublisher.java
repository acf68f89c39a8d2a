package org.openparking.platform.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** {@link ConfirmingPublisher} on one confirm-mode channel, replaced after any failure. */
final class ChannelPublisher implements ConfirmingPublisher {

    /** Where the channel comes from. */
    interface LinkSource {
        BrokerLink link() throws IOException;

        default void close() {
        }
    }

    /** Opens its link on first use; a failed attempt is retried on the next call. */
    static final class LazyLink implements LinkSource {
        private final BrokerSettings settings;
        private final String name;
        private BrokerLink link;

        LazyLink(BrokerSettings settings, String name) {
            this.settings = settings;
            this.name = name;
        }

        @Override
        public synchronized BrokerLink link() throws IOException {
            if (link == null) {
                link = BrokerLink.openOnce(settings, name, null);
            }
            return link;
        }

        @Override
        public synchronized void close() {
            if (link != null) {
                link.close();
            }
        }
    }

    private final LinkSource source;
    private final long confirmTimeoutMillis;
    private Channel channel;
    private String user;

    ChannelPublisher(LinkSource source, Duration confirmTimeout) {
        this.source = source;
        this.confirmTimeoutMillis = confirmTimeout.toMillis();
    }

    @Override
    public synchronized void publish(Declaration before, List<Outgoing> messages) throws IOException {
        try {
            Channel ch = channel();
            if (before != null) {
                before.declare(ch);
            }
            for (Outgoing m : messages) {
                ch.basicPublish(m.exchange(), m.routingKey(), AmqpEnvelopes.authoredBy(m.properties(), user),
                        m.body());
            }
            ch.waitForConfirmsOrDie(confirmTimeoutMillis);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            resetChannel();
            throw e instanceof IOException io ? io : new IOException("publish not confirmed: " + e, e);
        }
    }

    @Override
    public synchronized void declare(Declaration declaration) throws IOException {
        try {
            declaration.declare(channel());
        } catch (IOException | RuntimeException e) {
            resetChannel();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    @Override
    public synchronized long messageCount(String queue) {
        try {
            return channel().queueDeclarePassive(queue).getMessageCount();
        } catch (IOException | RuntimeException e) {
            resetChannel();
            return -1;
        }
    }

    private Channel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            BrokerLink link = source.link();
            user = link.user();
            channel = link.createChannel();
            channel.confirmSelect();
        }
        return channel;
    }

    private void resetChannel() {
        Channel ch = channel;
        channel = null;
        if (ch != null && ch.isOpen()) {
            try {
                ch.abort();
            } catch (IOException | RuntimeException ignored) {
                // the channel is being dropped anyway
            }
        }
    }

    @Override
    public synchronized void close() {
        resetChannel();
        source.close();
    }
}
