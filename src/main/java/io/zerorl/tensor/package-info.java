/**
 * Small NDArray helpers shared by model, algo and rollout: masked sums/means, gathered log-probs,
 * entropy, group statistics and torch-owned scalar constants; {@link io.zerorl.tensor.TorchScript} compiles
 * TorchScript methods at run time to reach torch ops DJL does not expose (fused AdamW, foreach ops);
 * {@link io.zerorl.tensor.NativeAllocator} sets glibc's thresholds for tensor memory (through JNA, which DJL brings).
 * Imports DJL's api and, for TorchScript, the PyTorch engine's module loader; every function is written so that autograd works
 * through it (no {@code Number} overloads, see docs/DJL-NOTES.md, hazard 2).
 */
package io.zerorl.tensor;
