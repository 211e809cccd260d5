/** The in-process engine's multi-version storage and optimistic transactions. Not API. */
package io.dhamana.engine.internal;
