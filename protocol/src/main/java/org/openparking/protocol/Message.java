package org.openparking.protocol;

/**
 * Every payload that travels inside an {@link Envelope}. Each variant names its wire type; the
 * codec maps the type string back to the record, so adding a variant means adding it here and
 * to {@link MessageType}.
 */
public sealed interface Message
        permits Message.Event, Message.Command {

    /** The wire name of this message, e.g. {@code session.opened}. */
    default String type() {
        return MessageType.typeOf(this);
    }

    /** Edge → cloud, and worker → everyone: facts that happened. */
    sealed interface Event extends Message
            permits SessionOpened, SessionClosed, AvailabilityChanged, LaneChanged, DriftRecorded,
            CommandApplied, PaymentRequested, PaymentResult, RefundRequested, RefundResult, EdgeStatus, PoolCounts {
    }

    /** Cloud → edge: requests an edge applies exactly once. */
    sealed interface Command extends Message
            permits UpdateTariff, SetLevelStatus, OpenBarrier, UpdateAllowList, TrustOperatorKey,
            CloseSessionElsewhere, UpdateDiscounts, UpdateLaneRules {
    }
}
