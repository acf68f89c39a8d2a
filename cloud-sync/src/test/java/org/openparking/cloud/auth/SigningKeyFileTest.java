package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.jwk.ECKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auth.key-file takes the PEM an operator makes with openssl as well as a JWK: the PEM path needs Bouncy
 * Castle's PKIX classes at run time, which the packaged cloud-sync once lacked (NoClassDefFoundError at start).
 */
class SigningKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void aPkcs8PemKeyIsReadAndIsTheKeyItHolds() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Path file = Files.writeString(dir.resolve("signing-key.pem"), pem);

        ECKey key = TokenService.loadOrGenerate(withKeyFile(file.toString()));

        assertThat(key.isPrivate(), is(true));
        assertThat(key.toECPublicKey().getW(), is(((ECPublicKey) pair.getPublic()).getW()));
        assertThat(key.getKeyID() != null, is(true));
    }

    @Test
    void aFileThatHoldsNoKeyStopsTheStartNamingTheKey() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-key.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenService.loadOrGenerate(withKeyFile(file.toString())));
        assertThat(e.getMessage(), containsString("auth.key-file"));
    }

    private static AuthSettings withKeyFile(String keyFile) {
        AuthSettings d = AuthSettings.defaults();
        return new AuthSettings(d.issuer(), d.audience(), d.tokenTtl(), d.clockSkew(), keyFile, d.bootstrapAdminUser(),
                d.bootstrapAdminPassword(), d.loginPerMinute(), d.loginPerAddressPerMinute(), d.apiPerSecond(),
                d.apiBurst(), d.maxBodyBytes(), d.trustedProxies());
    }
}
