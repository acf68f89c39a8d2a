package org.openparking.edge.sync;

import java.time.Instant;
import org.openparking.edge.payment.PaymentLink;

/**
 * What {@code GET /api/v1/sync} shows.
 *
 * @param outboxPending           rows not yet confirmed by the broker
 * @param oldestPendingAgeSeconds age of the oldest of them, 0 when none
 * @param lastConfirmedAt         when the broker last confirmed a row, null if never since start
 * @param unsentAttemptsMax       most failed delivery attempts of any pending row
 * @param lastError               the last connection or delivery error, null if none
 */
public record SyncStatus(PaymentLink.State state, long outboxPending, long oldestPendingAgeSeconds,
                         Instant lastConfirmedAt, boolean connected, int unsentAttemptsMax, String lastError) {
}
