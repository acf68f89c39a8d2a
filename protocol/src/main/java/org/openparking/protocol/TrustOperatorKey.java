package org.openparking.protocol;

/** The cloud's public key (a JWK, JSON) with which an edge verifies operator tokens offline. */
public record TrustOperatorKey(String jwk) implements Message.Command {
    public TrustOperatorKey {
        Checks.requireText(jwk, "jwk");
    }
}
