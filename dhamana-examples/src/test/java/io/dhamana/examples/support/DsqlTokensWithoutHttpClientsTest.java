package io.dhamana.examples.support;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dsql.DsqlUtilities;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the README tells a DSQL user: {@code software.amazon.awssdk:dsql} with its HTTP clients ({@code apache-client},
 * {@code netty-nio-client}) excluded still signs IAM tokens, since signing is local. This module's build has exactly
 * those exclusions; the test first proves the clients are absent, then signs tokens with the real AWS SDK the way
 * {@code DsqlStore} does, from static fake credentials, with no network.
 */
class DsqlTokensWithoutHttpClientsTest {
    private static final String HOST = "abc0def1baz2quux3quuux4.dsql.us-east-1.on.aws";

    @Test
    void theHttpClientsAreExcludedFromThisClassPath() {
        assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.http.apache.ApacheHttpClient"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void tokensAreSignedWithoutThem() {
        Region region = Region.US_EAST_1;
        DsqlUtilities utilities = DsqlUtilities.builder().region(region)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
                .build();
        String admin = utilities.generateDbConnectAdminAuthToken(b -> b.hostname(HOST).region(region)
                .expiresIn(Duration.ofMinutes(15)));
        String role = utilities.generateDbConnectAuthToken(b -> b.hostname(HOST).region(region)
                .expiresIn(Duration.ofMinutes(15)));
        assertThat(admin).startsWith(HOST + "/?Action=DbConnectAdmin&").contains("X-Amz-Signature=")
                .contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F").contains("%2Fus-east-1%2Fdsql%2F")
                .contains("X-Amz-Expires=900");
        assertThat(role).startsWith(HOST + "/?Action=DbConnect&").contains("X-Amz-Signature=");
        assertThat(role).isNotEqualTo(admin);
    }
}
