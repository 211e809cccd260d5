/**
 * The Amazon Aurora DSQL store: the SDK's recipes on a single- or multi-Region DSQL cluster, through pgjdbc with IAM
 * authentication tokens, or through data sources the caller builds. Start at
 * {@link io.dhamana.dsql.DsqlStore#builder()}; see {@code docs/dsql.md} for the cluster, IAM and role set-up.
 */
package io.dhamana.dsql;
