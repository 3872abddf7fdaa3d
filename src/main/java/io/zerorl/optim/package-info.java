/**
 * Our own optimizer over named parameters (DJL's Trainer throws on all-zero gradients and clips wrongly,
 * docs/DJL-NOTES.md, hazards 7-8): {@link io.zerorl.optim.AdamW} with fp32 master weights for fp16 parameters,
 * global-norm clipping ({@link io.zerorl.optim.Grads}), gradients held apart from the parameters
 * ({@link io.zerorl.optim.GradientBuffer}), {@link io.zerorl.optim.DynamicLossScaler}
 * and {@link io.zerorl.optim.LrSchedule}.
 */
package io.zerorl.optim;
