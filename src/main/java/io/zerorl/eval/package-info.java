/**
 * Benchmark evaluation: {@link io.zerorl.eval.Evaluator} runs problems (from {@code io.zerorl.data} descriptors)
 * through a prompt template, a {@link io.zerorl.eval.CompletionSource} (a model via
 * {@link io.zerorl.eval.PolicyGenerator}, or the {@link io.zerorl.eval.ReferenceSource} self-checks), the reward
 * verifier of each answer kind ({@link io.zerorl.eval.Verifiers}: no answer checking of its own), and
 * {@link io.zerorl.eval.Metrics} (pass@1 over n samples, unbiased pass@k, maj@k, standard errors across problems);
 * {@link io.zerorl.eval.Reports} writes per-problem JSONL and Markdown/JSON summaries, and
 * {@link io.zerorl.eval.EvalDuringTraining} is the trainer's hook.
 *
 * <p>Limits, honestly: {@code PolicyGenerator} imports {@code model.Policy} and {@code tokenizer.Tokenizer} (both
 * reached through rollout anyway); stop strings are not offered, because the rollout engine cuts the text before
 * a matched stop string, which would remove the {@code </answer>} the verifiers look for; which random numbers a
 * problem gets depends on the batch size (not on {@code limit}); maj@k for code votes on the extracted program
 * with trailing whitespace removed, so it rarely differs from pass@1; the CLI evaluates on the CPU in float32.
 */
package io.zerorl.eval;
