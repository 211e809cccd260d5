/**
 * The in-process store: an optimistic multi-version engine with snapshot isolation, the SDK's embedded default and
 * the performance ceiling of its recipes.
 */
package io.dhamana.engine;
