/**
 * {@code zerorl report}: reads a training run directory ({@code metrics.jsonl}, {@code samples.jsonl},
 * {@code recipe.yaml}, {@code eval_before.json}/{@code eval_after.json}) and writes PNG charts (XChart,
 * headless) and one self-contained HTML page that embeds them as data URIs. Imports {@code run} and {@code util} only.
 */
package io.zerorl.report;
