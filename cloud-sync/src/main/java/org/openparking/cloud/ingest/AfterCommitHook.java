package org.openparking.cloud.ingest;

import com.rabbitmq.client.Channel;
import org.openparking.protocol.Envelope;

/**
 * Runs between the PostgreSQL commit and the ack. Production uses {@link #NONE}; crash tests use
 * it to cut the connection exactly there, as a process killed at that moment would.
 */
@FunctionalInterface
public interface AfterCommitHook {
    AfterCommitHook NONE = (envelope, channel) -> { };

    void afterCommit(Envelope envelope, Channel channel) throws Exception;
}
