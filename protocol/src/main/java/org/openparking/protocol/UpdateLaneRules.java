package org.openparking.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The lane rules of a lot, as one full snapshot: permits, pools, reservations and pay-by-plate accounts. The
 * cloud sends the same snapshot to every level of the lot; an edge applies it only when {@code version} is higher
 * than the one it holds (an older or repeated snapshot is receipted as not applied), and then replaces all of its
 * rules with it. {@code issuedAt} is when the cloud built it: an edge whose newest snapshot is older than its
 * {@code lane-rules.max-age} refuses ticketless exits with {@code STALE_RULES}.
 */
public record UpdateLaneRules(long version, Instant issuedAt, List<Permit> permits, List<Pool> pools,
                              List<Reservation> reservations, List<Account> accounts,
                              List<ReservationKey> reservationKeys) implements Message.Command {
    public UpdateLaneRules {
        if (version < 1) {
            throw new IllegalArgumentException("lane rules version must be at least 1, was " + version);
        }
        Checks.requireNonNull(issuedAt, "issuedAt");
        permits = List.copyOf(permits == null ? List.of() : permits);
        pools = List.copyOf(pools == null ? List.of() : pools);
        reservations = List.copyOf(reservations == null ? List.of() : reservations);
        accounts = List.copyOf(accounts == null ? List.of() : accounts);
        reservationKeys = List.copyOf(reservationKeys == null ? List.of() : reservationKeys);
    }

    /** A snapshot with no reservation signing keys (a lot with no signed reservations yet). */
    public UpdateLaneRules(long version, Instant issuedAt, List<Permit> permits, List<Pool> pools,
                           List<Reservation> reservations, List<Account> accounts) {
        this(version, issuedAt, permits, pools, reservations, accounts, List.of());
    }

    /**
     * A public key the lot's reservation codes ({@link ReservationCodes}) may be signed with: the current one and
     * any retired one that still signs a reservation not yet over. {@code publicKey}: X.509, URL-safe Base64.
     */
    public record ReservationKey(String keyId, String publicKey) {
        public ReservationKey {
            Checks.requireId(keyId, "keyId");
            Checks.requireText(publicKey, "publicKey");
            Checks.requireMaxLength(publicKey, "publicKey");
            ReservationCodes.decodePublic(publicKey);
        }
    }

    /** A hard window refuses outside it; a soft one admits and flags the entry. */
    public enum Window { HARD, SOFT }

    /**
     * A monthly parker, by plate or by access card (or both).
     *
     * @param validFrom  first instant the permit admits; null: no start
     * @param validUntil first instant it no longer admits; null: no end
     * @param levels     the levels (zones) it admits on; empty: every level of the lot
     * @param poolId     the pool it counts against, or null
     * @param suspended  true while unpaid (or blocked by an operator): refused with {@code PERMIT_SUSPENDED}
     */
    public record Permit(String permitId, String plate, String card, Instant validFrom, Instant validUntil,
                         Window window, List<String> levels, String poolId, boolean suspended) {
        public Permit {
            Checks.requireId(permitId, "permitId");
            if ((plate == null || plate.isBlank()) && (card == null || card.isBlank())) {
                throw new IllegalArgumentException("permit " + permitId + " needs a plate or a card");
            }
            if (plate != null && !Plates.valid(Plates.normalize(plate))) {
                throw new IllegalArgumentException("permit " + permitId + ": plate must be 1-12 letters and digits");
            }
            Checks.requireMaxLength(card, "card");
            if (CardNumbers.looksLikePan(card)) {
                throw new IllegalArgumentException("permit " + permitId + ": card must be an access-card id, never"
                        + " a payment card number");
            }
            if (validFrom != null && validUntil != null && !validUntil.isAfter(validFrom)) {
                throw new IllegalArgumentException("permit " + permitId + ": validUntil must be after validFrom");
            }
            window = window == null ? Window.HARD : window;
            levels = List.copyOf(levels == null ? List.of() : levels);
            Checks.requireMaxLength(poolId, "poolId");
        }
    }

    /**
     * A company pool: at most {@code max} of its permits' cars inside the lot at once. {@code levelShares} is what
     * each level may admit on its own count (the offline rule); a level without a share may admit up to
     * {@code max}. The cloud adds the levels' counts and reports what is over {@code max} as drift.
     */
    public record Pool(String poolId, int max, Map<String, Integer> levelShares) {
        public Pool {
            Checks.requireId(poolId, "poolId");
            if (max < 0) {
                throw new IllegalArgumentException("pool " + poolId + ": max must not be negative, was " + max);
            }
            levelShares = Map.copyOf(levelShares == null ? Map.of() : levelShares);
            levelShares.forEach((level, share) -> {
                if (share == null || share < 0) {
                    throw new IllegalArgumentException("pool " + poolId + ": share of " + level + " must be >= 0");
                }
            });
        }

        /** What level {@code levelId} may admit on its own count. */
        public int shareOf(String levelId) {
            return levelShares.getOrDefault(levelId, max);
        }
    }

    /**
     * A pre-booked entry by plate or by the code on its QR (or both), for {@code [from, until)}. A code the cloud
     * issues is signed ({@link ReservationCodes}) and admits even on a level whose snapshot does not list it yet.
     * Until the car arrives, it holds one space back from walk-ins on {@code levelId} (or on every level when null) during its
     * window. {@code prepaid} (an event pre-sale) exits with no fee and no pay station.
     */
    public record Reservation(String reservationId, String plate, String code, Instant from, Instant until,
                              String levelId, boolean prepaid) {
        public Reservation {
            Checks.requireId(reservationId, "reservationId");
            if ((plate == null || plate.isBlank()) && (code == null || code.isBlank())) {
                throw new IllegalArgumentException("reservation " + reservationId + " needs a plate or a code");
            }
            if (plate != null && !Plates.valid(Plates.normalize(plate))) {
                throw new IllegalArgumentException("reservation " + reservationId
                        + ": plate must be 1-12 letters and digits");
            }
            if (code != null && code.length() > ReservationCodes.MAX_LENGTH) {
                throw new IllegalArgumentException("reservation " + reservationId + ": code is longer than "
                        + ReservationCodes.MAX_LENGTH + " characters");
            }
            Checks.requireNonNull(from, "from");
            Checks.requireNonNull(until, "until");
            if (!until.isAfter(from)) {
                throw new IllegalArgumentException("reservation " + reservationId + ": until must be after from");
            }
        }
    }

    /**
     * A pay-by-plate account: the driver registered the plate with a payment-method token (never a card number),
     * so a confident plate read at the exit is charged with it (ticketless).
     */
    public record Account(String plate, String paymentMethod) {
        public Account {
            if (!Plates.valid(Plates.normalize(plate))) {
                throw new IllegalArgumentException("account plate must be 1-12 letters and digits");
            }
            Checks.requireText(paymentMethod, "paymentMethod");
            Checks.requireMaxLength(paymentMethod, "paymentMethod");
            if (CardNumbers.looksLikePan(paymentMethod)) {
                throw new IllegalArgumentException("paymentMethod must be a payment-method token, never a card number");
            }
        }
    }
}
