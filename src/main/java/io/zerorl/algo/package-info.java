/**
 * The GRPO algorithm core, free of model code: advantage estimators over rewards, the clipped-ratio policy
 * loss, KL estimators and loss aggregations, each in a name registry, and {@link io.zerorl.algo.GrpoLoss}
 * which combines them into a scalar loss plus metrics. Follows verl {@code verl/trainer/ppo/core_algos.py}
 * and TRL {@code GRPOTrainer}. Imports {@code tensor}, {@code util} (errors, registry) and DJL's api only.
 */
package io.zerorl.algo;
