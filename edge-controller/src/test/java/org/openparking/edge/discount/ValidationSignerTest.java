package org.openparking.edge.discount;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.UpdateDiscounts.Kind;

/** Signed validations as an attacker would try them: forged value, another key, another lot, a ticket, expiry. */
class ValidationSignerTest {
    private static final String SECRET = "a-lot-secret-of-at-least-16";
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final ValidationSigner SIGNER = new ValidationSigner("lot-a", SECRET);
    private static final ValidationSigner.Validation CINEMA = new ValidationSigner.Validation("lot-a", "cinema",
            "box-office", "s-1", Kind.TIME_OFF, 180, NOW.plusSeconds(3600));

    private static String code(Runnable r) {
        return assertThrows(ParkingException.class, r::run).code();
    }

    @Test
    void aValidationVerifiesForItsSessionUntilItExpires() {
        String v = SIGNER.sign(CINEMA);
        assertThat(SIGNER.verify(v, "s-1", NOW), is(CINEMA));
        assertThat(code(() -> SIGNER.verify(v, "s-2", NOW)), is("VALIDATION_INVALID"));
        assertThat(code(() -> SIGNER.verify(v, "s-1", NOW.plusSeconds(3601))), is("VALIDATION_EXPIRED"));
    }

    @Test
    void aRaisedValueAnotherKeyAnotherLotOrATicketIsRefused() {
        String v = SIGNER.sign(CINEMA);
        String[] parts = v.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("|180|", "|9999|");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(code(() -> SIGNER.verify(forged, "s-1", NOW)), is("VALIDATION_INVALID"));
        String otherKey = new ValidationSigner("lot-a", "another-secret-of-16-chars").sign(CINEMA);
        assertThat(code(() -> SIGNER.verify(otherKey, "s-1", NOW)), is("VALIDATION_INVALID"));
        String otherLot = new ValidationSigner("lot-b", SECRET).sign(new ValidationSigner.Validation("lot-b",
                "cinema", "box-office", "s-1", Kind.TIME_OFF, 180, NOW.plusSeconds(3600)));
        assertThat(code(() -> SIGNER.verify(otherLot, "s-1", NOW)), is("VALIDATION_INVALID"));
        // The ticket MAC is taken under the lot secret itself, the validation MAC under a key derived from it.
        String ticket = new TicketSigner("lot-a", SECRET).sign("s-1", NOW);
        String asValidation = "V1" + ticket.substring(2);
        assertThat(code(() -> SIGNER.verify(asValidation, "s-1", NOW)), is("VALIDATION_INVALID"));
        assertThat(code(() -> SIGNER.verify("V1.%%%.x", "s-1", NOW)), is("VALIDATION_INVALID"));
        assertThat(code(() -> SIGNER.verify("x".repeat(2000), "s-1", NOW)), is("VALIDATION_INVALID"));
    }
}
