/**
 * The run directory: its layout ({@link io.zerorl.run.RunLayout}: which file holds what), the names of the metrics
 * written to {@code metrics.jsonl} ({@link io.zerorl.run.MetricNames}) and JSON Lines append and truncation
 * ({@link io.zerorl.run.Jsonl}). The trainer writes a run directory, the quickstart adds to it, {@code report}
 * reads it: all three use these names instead of string literals. Imports {@code util} only.
 */
package io.zerorl.run;
