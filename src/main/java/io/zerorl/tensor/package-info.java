/**
 * Small NDArray helpers shared by model, algo and rollout: masked sums/means, gathered log-probs,
 * entropy, group statistics and torch-owned scalar constants. Imports DJL's api only; every function is
 * written so that autograd works through it (no {@code Number} overloads, see docs/DJL-NOTES.md, hazard 2).
 */
package io.zerorl.tensor;
