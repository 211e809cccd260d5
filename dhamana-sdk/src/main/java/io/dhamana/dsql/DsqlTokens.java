package io.dhamana.dsql;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dsql.DsqlUtilities;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * IAM authentication tokens for one endpoint, from the AWS SDK's {@link DsqlUtilities}: a SigV4-presigned
 * {@code DbConnectAdmin} request for the {@code admin} role, a {@code DbConnect} request for any other role. Signing
 * is local (no network call), so a token is made for every new physical connection rather than cached: the token
 * is checked only when a connection opens, and a fresh one never expires in a pool's hands. Kept apart from
 * {@link DsqlStore} so a store given the caller's data sources never loads the AWS SDK.
 */
final class DsqlTokens {
    /** The role the admin token is for; every other role gets the plain {@code DbConnect} token. */
    static final String ADMIN = "admin";

    private DsqlTokens() {}

    /**
     * A source of fresh tokens for {@code user} at {@code host} in {@code region}.
     *
     * @param credentials who signs; resolved anew for each token, so rotating credentials are picked up
     * @param expiry      how long each token may be used to open a connection
     */
    static Supplier<String> forEndpoint(String host, String region, String user, Object credentials,
                                        Duration expiry) {
        Region r = Region.of(region);
        DsqlUtilities utilities = DsqlUtilities.builder().region(r)
                .credentialsProvider((AwsCredentialsProvider) credentials).build();
        if (ADMIN.equals(user)) {
            return () -> utilities.generateDbConnectAdminAuthToken(b -> b.hostname(host).region(r).expiresIn(expiry));
        }
        return () -> utilities.generateDbConnectAuthToken(b -> b.hostname(host).region(r).expiresIn(expiry));
    }

    /** The AWS default credentials chain (environment, system properties, profile, container, instance). */
    static AutoCloseable defaultCredentials() {
        return DefaultCredentialsProvider.builder().build();
    }

    /** Fails with a clear message when the AWS SDK's DSQL artifact is missing. */
    static void requireSdk() {
        try {
            Class.forName("software.amazon.awssdk.services.dsql.DsqlUtilities", false,
                    DsqlTokens.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("DsqlStore.builder().endpoint(...) makes IAM tokens with the AWS SDK: add"
                    + " software.amazon.awssdk:dsql to the class path, or pass your own data sources with"
                    + " dataSource(region, ...)", e);
        }
    }
}
