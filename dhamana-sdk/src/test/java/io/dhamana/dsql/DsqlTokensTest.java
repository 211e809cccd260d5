package io.dhamana.dsql;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IAM tokens, offline: with static credentials the AWS SDK signs locally, so a token can be taken apart and its
 * SigV4 signature recomputed here from the secret key. A token is a presigned {@code GET https://<host>/?Action=...}:
 * {@code DbConnectAdmin} for the {@code admin} role, {@code DbConnect} for any other, scoped to the endpoint's Region
 * and the {@code dsql} service, valid for the configured time.
 */
class DsqlTokensTest {
    private static final String HOST = "abc123.dsql.us-east-1.on.aws";
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create(DsqlStandIn.ACCESS_KEY, DsqlStandIn.SECRET_KEY));

    /** A token taken apart: host, then the query parameters, decoded, in the order they appear. */
    record Token(String host, Map<String, String> query, String rawQuery) {
        static Token parse(String token) {
            assertThat(token).doesNotStartWith("https://").contains("/?");
            String host = token.substring(0, token.indexOf("/?"));
            String raw = token.substring(token.indexOf("/?") + 2);
            Map<String, String> q = new LinkedHashMap<>();
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return new Token(host, q, raw);
        }

        String[] scope() {
            return query.get("X-Amz-Credential").split("/");
        }
    }

    @Test
    void theAdminRoleGetsASignedDbConnectAdminRequestForItsHostRegionAndExpiry() throws Exception {
        Token t = Token.parse(DsqlTokens.forEndpoint(HOST, "us-east-1", "admin", CREDENTIALS,
                Duration.ofMinutes(15)).get());
        assertThat(t.host()).isEqualTo(HOST);
        assertThat(t.query()).containsEntry("Action", "DbConnectAdmin")
                .containsEntry("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
                .containsEntry("X-Amz-Expires", "900")
                .containsEntry("X-Amz-SignedHeaders", "host");
        String[] scope = t.scope(); // AKID/yyyyMMdd/region/service/aws4_request
        assertThat(scope).hasSize(5);
        assertThat(scope[0]).isEqualTo(DsqlStandIn.ACCESS_KEY);
        assertThat(scope[1]).hasSize(8).isEqualTo(t.query().get("X-Amz-Date").substring(0, 8));
        assertThat(Arrays.asList(scope).subList(2, 5)).containsExactly("us-east-1", "dsql", "aws4_request");
        assertThat(t.query().get("X-Amz-Signature")).matches("[0-9a-f]{64}");
        assertThat(signatureValid(t, DsqlStandIn.SECRET_KEY)).as("SigV4 signature recomputed from the secret")
                .isTrue();
        assertThat(signatureValid(t, "another-secret")).isFalse();
    }

    @Test
    void anyOtherRoleGetsADbConnectRequestAndTheExpiryAsConfigured() throws Exception {
        Token t = Token.parse(DsqlTokens.forEndpoint("def456.dsql.us-east-2.on.aws", "us-east-2", "dhamana_app",
                CREDENTIALS, Duration.ofHours(1)).get());
        assertThat(t.host()).isEqualTo("def456.dsql.us-east-2.on.aws");
        assertThat(t.query()).containsEntry("Action", "DbConnect").containsEntry("X-Amz-Expires", "3600");
        assertThat(t.scope()[2]).isEqualTo("us-east-2");
        assertThat(t.scope()[3]).isEqualTo("dsql");
        assertThat(signatureValid(t, DsqlStandIn.SECRET_KEY)).isTrue();
    }

    /**
     * Recomputes the SigV4 signature of a presigned GET with no body: the canonical request is the method, the path
     * "/", the sorted query without the signature, the host header, and the hash of an empty payload.
     */
    static boolean signatureValid(Token t, String secret) throws Exception {
        String canonicalQuery = Arrays.stream(t.rawQuery().split("&"))
                .filter(p -> !p.startsWith("X-Amz-Signature="))
                .sorted()
                .collect(Collectors.joining("&"));
        String canonicalRequest = String.join("\n", "GET", "/", canonicalQuery, "host:" + t.host(), "", "host",
                hex(sha256("")));
        String[] scope = t.scope();
        String credentialScope = String.join("/", scope[1], scope[2], scope[3], scope[4]);
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", t.query().get("X-Amz-Date"), credentialScope,
                hex(sha256(canonicalRequest)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, scope[4]);
        return hex(hmac(key, stringToSign)).equals(t.query().get("X-Amz-Signature"));
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
