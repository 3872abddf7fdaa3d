/**
 * Our own optimizer over named parameters (DJL's Trainer throws on all-zero gradients and clips wrongly,
 * DJL-NOTES 7-8): {@link io.zerorl.train.optim.AdamW} with fp32 master weights for fp16 parameters,
 * global-norm clipping ({@link io.zerorl.train.optim.Grads}), {@link io.zerorl.train.optim.DynamicLossScaler}
 * and {@link io.zerorl.train.optim.LrSchedule}.
 */
package io.zerorl.train.optim;
