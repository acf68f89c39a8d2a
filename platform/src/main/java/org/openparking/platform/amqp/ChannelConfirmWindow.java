package org.openparking.platform.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

final class ChannelConfirmWindow implements ConfirmWindow {
    private record InFlight(long key, long publishedNanos) {
    }

    private final Channel channel;
    private final String user;
    private final Runnable wake;
    // Delivery tag -> publish. The listeners (client thread) move entries to the queues; the caller drains them.
    private final ConcurrentNavigableMap<Long, InFlight> outstanding = new ConcurrentSkipListMap<>();
    private final Set<Long> returned = ConcurrentHashMap.newKeySet();
    private final Queue<Confirmed> confirmed = new ConcurrentLinkedQueue<>();
    private final Queue<Failed> failed = new ConcurrentLinkedQueue<>();
    private volatile boolean lost;

    ChannelConfirmWindow(Channel channel, String user, Runnable wake) throws IOException {
        this.channel = channel;
        this.user = user;
        this.wake = wake;
        channel.confirmSelect();
        channel.addConfirmListener((tag, multiple) -> confirmed(tag, multiple, true),
                (tag, multiple) -> confirmed(tag, multiple, false));
        channel.addReturnListener(r -> {
            Object seq = r.getProperties().getHeaders() == null ? null : r.getProperties().getHeaders().get("seq");
            if (seq instanceof Number n) {
                returned.add(n.longValue());
            }
        });
        // Set before the client recovers the channel, whose delivery tags start again at 1.
        channel.addShutdownListener(cause -> {
            lost = true;
            wake.run();
        });
    }

    @Override
    public void publish(long key, Outgoing m) throws IOException {
        if (lost) {
            // Reported like any failed publish, so the caller settles it with the rest when it abandons.
            failed.add(new Failed(key, "channel lost"));
            throw new IOException("channel lost; in-flight publishes not yet abandoned");
        }
        long tag = channel.getNextPublishSeqNo();
        outstanding.put(tag, new InFlight(key, System.nanoTime()));
        try {
            channel.basicPublish(m.exchange(), m.routingKey(), true, AmqpEnvelopes.authoredBy(m.properties(), user),
                    m.body());
        } catch (IOException | RuntimeException e) {
            outstanding.remove(tag);
            failed.add(new Failed(key, "publish failed: " + e));
            throw e;
        }
    }

    @Override
    public void publishUntracked(Outgoing m) throws IOException {
        if (lost) {
            throw new IOException("channel lost");
        }
        // Its confirm matches no entry of the window and is ignored.
        channel.basicPublish(m.exchange(), m.routingKey(), false, AmqpEnvelopes.authoredBy(m.properties(), user),
                m.body());
    }

    private void confirmed(long tag, boolean multiple, boolean ack) {
        if (lost) {
            return; // a confirm of the recovered channel; the old publishes are abandoned by the caller
        }
        List<InFlight> rows = new ArrayList<>();
        if (multiple) {
            ConcurrentNavigableMap<Long, InFlight> head = outstanding.headMap(tag, true);
            rows.addAll(head.values());
            head.clear();
        } else {
            InFlight r = outstanding.remove(tag);
            if (r != null) {
                rows.add(r);
            }
        }
        for (InFlight r : rows) {
            if (!ack) {
                failed.add(new Failed(r.key(), "nack from broker"));
            } else if (returned.remove(r.key())) {
                // Confirmed but routed nowhere: nobody has it, so it is not delivered.
                failed.add(new Failed(r.key(), "unroutable: no queue bound for its routing key"));
            } else {
                confirmed.add(new Confirmed(r.key(), r.publishedNanos()));
            }
        }
        wake.run();
    }

    @Override
    public int outstanding() {
        return outstanding.size();
    }

    @Override
    public Outcomes settle(Duration timeout) {
        List<Confirmed> ok = drain(confirmed);
        List<Failed> bad = drain(failed);
        long now = System.nanoTime();
        long limit = timeout.toNanos();
        for (Map.Entry<Long, InFlight> e : outstanding.entrySet()) {
            if (now - e.getValue().publishedNanos() < limit) {
                break;
            }
            if (outstanding.remove(e.getKey(), e.getValue())) {
                bad.add(new Failed(e.getValue().key(), "no confirm within " + timeout));
            }
        }
        return new Outcomes(ok, bad);
    }

    @Override
    public Outcomes abandon(String why) {
        List<Confirmed> ok = drain(confirmed);
        List<Failed> bad = drain(failed);
        outstanding.values().forEach(r -> bad.add(new Failed(r.key(), "connection lost: " + why)));
        outstanding.clear();
        returned.clear();
        lost = false;
        return new Outcomes(ok, bad);
    }

    @Override
    public boolean lost() {
        return lost;
    }

    private static <T> List<T> drain(Queue<T> q) {
        List<T> result = new ArrayList<>();
        for (T t; (t = q.poll()) != null; ) {
            result.add(t);
        }
        return result;
    }
}
