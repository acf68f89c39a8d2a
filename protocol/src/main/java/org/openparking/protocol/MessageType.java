package org.openparking.protocol;

import java.util.Map;
import java.util.Optional;

/** The one table of wire type names. */
public final class MessageType {
    public static final String SESSION_OPENED = "session.opened";
    public static final String SESSION_CLOSED = "session.closed";
    public static final String AVAILABILITY_CHANGED = "availability.changed";
    public static final String LANE_CHANGED = "lane.changed";
    public static final String DRIFT_RECORDED = "drift.recorded";
    public static final String COMMAND_APPLIED = "command.applied";
    public static final String EDGE_STATUS = "edge.status";
    public static final String PAYMENT_REQUESTED = "payment.requested";
    public static final String PAYMENT_RESULT = "payment.result";
    public static final String REFUND_REQUESTED = "refund.requested";
    public static final String REFUND_RESULT = "refund.result";
    public static final String UPDATE_TARIFF = "command.tariff";
    public static final String SET_LEVEL_STATUS = "command.level-status";
    public static final String OPEN_BARRIER = "command.open-barrier";
    public static final String UPDATE_ALLOW_LIST = "command.allow-list";
    public static final String TRUST_OPERATOR_KEY = "command.trust-key";
    public static final String CLOSE_SESSION_ELSEWHERE = "command.close-session";
    public static final String UPDATE_DISCOUNTS = "command.discounts";
    public static final String UPDATE_LANE_RULES = "command.update-lane-rules";
    public static final String POOL_COUNTS = "pool.counts";

    private static final Map<String, Class<? extends Message>> BY_NAME = Map.ofEntries(
            Map.entry(SESSION_OPENED, SessionOpened.class),
            Map.entry(SESSION_CLOSED, SessionClosed.class),
            Map.entry(AVAILABILITY_CHANGED, AvailabilityChanged.class),
            Map.entry(LANE_CHANGED, LaneChanged.class),
            Map.entry(DRIFT_RECORDED, DriftRecorded.class),
            Map.entry(COMMAND_APPLIED, CommandApplied.class),
            Map.entry(EDGE_STATUS, EdgeStatus.class),
            Map.entry(PAYMENT_REQUESTED, PaymentRequested.class),
            Map.entry(PAYMENT_RESULT, PaymentResult.class),
            Map.entry(REFUND_REQUESTED, RefundRequested.class),
            Map.entry(REFUND_RESULT, RefundResult.class),
            Map.entry(UPDATE_TARIFF, UpdateTariff.class),
            Map.entry(SET_LEVEL_STATUS, SetLevelStatus.class),
            Map.entry(OPEN_BARRIER, OpenBarrier.class),
            Map.entry(UPDATE_ALLOW_LIST, UpdateAllowList.class),
            Map.entry(TRUST_OPERATOR_KEY, TrustOperatorKey.class),
            Map.entry(CLOSE_SESSION_ELSEWHERE, CloseSessionElsewhere.class),
            Map.entry(UPDATE_DISCOUNTS, UpdateDiscounts.class),
            Map.entry(UPDATE_LANE_RULES, UpdateLaneRules.class),
            Map.entry(POOL_COUNTS, PoolCounts.class));

    private MessageType() {
    }

    public static Optional<Class<? extends Message>> classOf(String type) {
        return Optional.ofNullable(BY_NAME.get(type));
    }

    static String typeOf(Message message) {
        return switch (message) {
            case SessionOpened m -> SESSION_OPENED;
            case SessionClosed m -> SESSION_CLOSED;
            case AvailabilityChanged m -> AVAILABILITY_CHANGED;
            case LaneChanged m -> LANE_CHANGED;
            case DriftRecorded m -> DRIFT_RECORDED;
            case CommandApplied m -> COMMAND_APPLIED;
            case EdgeStatus m -> EDGE_STATUS;
            case PaymentRequested m -> PAYMENT_REQUESTED;
            case PaymentResult m -> PAYMENT_RESULT;
            case RefundRequested m -> REFUND_REQUESTED;
            case RefundResult m -> REFUND_RESULT;
            case UpdateTariff m -> UPDATE_TARIFF;
            case SetLevelStatus m -> SET_LEVEL_STATUS;
            case OpenBarrier m -> OPEN_BARRIER;
            case UpdateAllowList m -> UPDATE_ALLOW_LIST;
            case TrustOperatorKey m -> TRUST_OPERATOR_KEY;
            case CloseSessionElsewhere m -> CLOSE_SESSION_ELSEWHERE;
            case UpdateDiscounts m -> UPDATE_DISCOUNTS;
            case UpdateLaneRules m -> UPDATE_LANE_RULES;
            case PoolCounts m -> POOL_COUNTS;
        };
    }
}
