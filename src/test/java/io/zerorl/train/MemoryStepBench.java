package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.ParamSpec;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.rollout.bench.RolloutBenchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measurement, not a test: the peak resident memory of one GRPO policy update (forward, loss, backward, clipping,
 * AdamW) on a generated model, for full fine-tuning, LoRA, or LoRA with activation checkpointing. One mode per JVM,
 * since the peak (VmHWM) only grows; {@code scripts/bench-lora-memory.sh} runs all three and prints the ratios.
 * Prints one line {@code MEMORY mode peak_mb after_load_mb step_s trainable plan_mb}, plan_mb being what
 * {@link MemoryPlan} predicts for the same update.
 *
 * <p>Arguments: mode ({@code full}, {@code lora}, {@code lora-ckpt}), shape ({@code qwen2.5-0.5b-shape},
 * {@code moe-shape}), rows, prompt tokens, completion tokens, LoRA rank, device ({@code cpu}, {@code gpu}). On a GPU
 * peak_mb and after_load_mb are the device memory in use (cudaMemGetInfo: total - free, which includes libtorch's
 * cached blocks) above what was in use before the model was made, sampled every millisecond by a second thread.
 */
public final class MemoryStepBench {
    private MemoryStepBench() {}

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "lora-ckpt";
        String shape = args.length > 1 ? args[1] : RolloutBenchmark.QWEN25_05B;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int prompt = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int completion = args.length > 4 ? Integer.parseInt(args[4]) : 128;
        int rank = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        Device device = args.length > 6 && args[6].startsWith("gpu") ? Device.gpu() : Device.cpu();
        if (device.isGpu() && ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            throw new IllegalStateException("device gpu asked for, but PyTorch sees no GPU here (see docs/GPU.md)");
        }
        DeviceMemory memory = new DeviceMemory(device);
        boolean lora = mode.startsWith("lora");
        Recipe recipe = RecipeLoader.fromOverrides(List.of("lora.r=" + (lora ? rank : 0), "lora.alpha=" + 2 * rank,
                "train.activation_checkpointing=" + mode.endsWith("ckpt"), "train.micro_batch_size=" + rows,
                "train.prompts_per_step=" + rows, "train.group_size=2",
                "rollout.max_new_tokens=" + completion, "optim.lr=1e-5", "optim.weight_decay=0.01"));
        ModelConfig config = RolloutBenchmark.shape(shape);
        try (Policy policy = Policy.init(config, 1, device, DataType.FLOAT32)) {
            if (lora) {
                policy.attach(LoraAdapters.init(policy, recipe.lora(), 1));
            }
            double afterLoad = memory.nowMb();
            var trainable = lora ? policy.adapters().parameters() : policy.trainableParameters(false);
            try (PolicyUpdate update = new PolicyUpdate(policy, null, false, trainable,
                    lora ? n -> true : n -> policy.role(n).decayed(), recipe, device, DataType.FLOAT32)) {
                SequenceBatch batch = batch(config, rows, prompt, completion);
                float[] adv = new float[rows];
                for (int i = 0; i < rows; i++) {
                    adv[i] = i % 2 == 0 ? 1f : -1f;
                }
                long t0 = System.nanoTime();
                PolicyUpdate.Result r = update.run(batch, adv, 1e-5, 1);
                double secs = (System.nanoTime() - t0) / 1e9;
                long n = trainable.values().stream().mapToLong(t -> t.size()).sum();
                // what `zerorl plan` says for the same update (the bench has no rollout, so no KV cache)
                MemoryPlan plan = MemoryPlan.of(recipe, config, prompt, Long.MAX_VALUE, "cpu");
                long planned = plan.items().stream().filter(i -> !i.what().equals("rollout KV cache"))
                        .mapToLong(MemoryPlan.Item::bytes).sum();
                System.out.printf(Locale.ROOT, "MEMORY %s %.0f %.0f %.1f %d %.0f (loss %.4f, %d of %d parameters"
                        + " trained)%n", mode, memory.peakMb(), afterLoad, secs, n, planned / 1048576.0, r.loss(), n,
                        ParamSpec.counts(config)[0]);
            }
        }
    }

    private static SequenceBatch batch(ModelConfig c, int rows, int prompt, int completion) {
        SplittableRandom rng = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        List<int[]> completions = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            prompts.add(rng.ints(prompt, 0, c.vocabSize).toArray());
            completions.add(rng.ints(completion, 0, c.vocabSize).toArray());
        }
        boolean[] keep = new boolean[rows];
        java.util.Arrays.fill(keep, true);
        return new SequenceBatch(prompts, completions, keep);
    }

    /** Peak memory: the process's resident set on the CPU, the device memory in use (sampled) on a GPU. */
    private static final class DeviceMemory {
        private final Device device;
        private final double baseline;
        private volatile double peak;

        DeviceMemory(Device device) {
            this.device = device;
            this.baseline = device.isGpu() ? usedMb() : 0;
            if (device.isGpu()) {
                Thread t = new Thread(() -> {
                    while (true) {
                        peak = Math.max(peak, usedMb() - baseline);
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "gpu-memory-sampler");
                t.setDaemon(true);
                t.start();
            }
        }

        private double usedMb() {
            return ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getCommitted() / 1048576.0;
        }

        double nowMb() {
            return device.isGpu() ? usedMb() - baseline : Memory.rssMb();
        }

        double peakMb() throws IOException {
            return device.isGpu() ? Math.max(peak, nowMb()) : MemoryStepBench.peakMb();
        }
    }

    /** The process's peak resident set size (VmHWM), MiB. */
    static double peakMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }
}
