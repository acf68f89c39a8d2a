package org.openparking.edge.ticket;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TicketSignerTest {
    private static final Instant ENTRY = Instant.parse("2026-11-25T08:00:00Z");
    private final TicketSigner lot1 = new TicketSigner("lot-1", "lot-one-secret-key-123456");

    @Test
    void aSignedTicketVerifiesAtAnyGateOfTheLot() {
        String ticket = lot1.sign("s-42", ENTRY);
        TicketSigner otherGateSameLot = new TicketSigner("lot-1", "lot-one-secret-key-123456");
        TicketSigner.Ticket t = otherGateSameLot.verify(ticket);
        assertThat(t.sessionId(), is("s-42"));
        assertThat(t.entryTime(), is(ENTRY));
        assertThat(t.lotId(), is("lot-1"));
        assertThat("fits a small QR code", ticket.length(), lessThan(120));
    }

    @Test
    void aTamperedEntryTimeIsRefused() {
        String ticket = lot1.sign("s-42", ENTRY);
        String[] parts = ticket.split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("lot-1|s-42|" + ENTRY.plusSeconds(7200).getEpochSecond()).getBytes(StandardCharsets.UTF_8));
        InvalidTicketException e = assertThrows(InvalidTicketException.class,
                () -> lot1.verify(parts[0] + "." + forged + "." + parts[2]));
        assertThat(e.kind(), is(InvalidTicketException.Kind.TAMPERED));
    }

    @Test
    void aFlippedSignatureCharacterIsRefused() {
        String ticket = lot1.sign("s-42", ENTRY);
        char last = ticket.charAt(ticket.length() - 1);
        String flipped = ticket.substring(0, ticket.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(assertThrows(InvalidTicketException.class, () -> lot1.verify(flipped)).kind(),
                is(InvalidTicketException.Kind.TAMPERED));
    }

    @Test
    void anotherLotsTicketIsRefusedAsForeign() {
        String foreign = new TicketSigner("lot-2", "lot-two-secret-key-654321").sign("s-1", ENTRY);
        assertThat(assertThrows(InvalidTicketException.class, () -> lot1.verify(foreign)).kind(),
                is(InvalidTicketException.Kind.FOREIGN));
    }

    @Test
    void malformedTicketsAreRefused() {
        for (String bad : new String[] {"", "T1", "T1.x", "T2.a.b", "T1.!!!.???", "T1." + "A".repeat(600) + ".b"}) {
            assertThat(bad, assertThrows(InvalidTicketException.class, () -> lot1.verify(bad)).kind(),
                    is(InvalidTicketException.Kind.MALFORMED));
        }
    }
}
