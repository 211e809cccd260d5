/** Implementation of the client: recipes, retry loop, catalog cache, audit. Not API; may change at any time. */
package io.dhamana.internal;
