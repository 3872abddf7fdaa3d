package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.model.Devices;
import io.zerorl.model.NoGrad;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The zerorl side of {@code scripts/bench-compare.sh} (a measurement, not a test); the PyTorch side is
 * {@code scripts/torch_side.py}, with the same subcommands, so the two are timed on the same weights and shapes.
 * Prints one JSON object.
 *
 * <pre>
 *   logits MODEL OUT_IDS_JSON OUT_LOGITS_BIN    writes random ids and zerorl's logits (float32) for them
 *   sample MODEL BATCH PROMPT NEW ROUNDS        KV-cached batched sampling, temperature 1, no EOS (all NEW tokens)
 *   train  MODEL BATCH PROMPT NEW ROUNDS        one GRPO micro-step: forward, loss, backward, clip, AdamW
 * </pre>
 * Device and dtype: {@code -Dbench.device=cpu|gpu}, {@code -Dbench.dtype=fp32|fp16}.
 */
public final class CompareBench {
    private CompareBench() {}

    public static void main(String[] args) throws IOException {
        String cmd = args[0];
        Path model = Path.of(args[1]);
        Device device = Devices.parse(System.getProperty("bench.device", "cpu"));
        DataType dtype = Devices.dtype(System.getProperty("bench.dtype", "fp32"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("threads", Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "1")));
        out.put("device", device.toString());
        try (Policy policy = Policy.load(model, device, dtype)) {
            out.put("loaded_mb", residentMb(device, "VmRSS:"));
            if (cmd.equals("logits")) {
                logits(policy, Path.of(args[2]), Path.of(args[3]));
                out.put("written", args[3]);
            } else {
                int batch = Integer.parseInt(args[2]);
                int prompt = Integer.parseInt(args[3]);
                int fresh = Integer.parseInt(args[4]);
                int rounds = Integer.parseInt(args[5]);
                ArrayNode secs = out.putArray("seconds");
                Runnable work = cmd.equals("sample") ? sampler(policy, batch, prompt, fresh)
                        : trainer(policy, batch, prompt, fresh, device, dtype);
                out.put("warmup_rounds", io.zerorl.util.WarmUp.untilStable(work, 3, 1000, 60));
                int repeats = repeatsPerRound(work);
                out.put("repeats", repeats);
                long faults = minorFaults();
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < repeats; i++) {
                        work.run();
                    }
                    secs.add((System.nanoTime() - t0) / 1e9 / repeats);
                }
                if (faults >= 0) { // the allocator's behaviour: pages the kernel had to supply per run
                    out.put("minor_faults_per_run", (minorFaults() - faults) / (double) (rounds * repeats));
                }
                if (cmd.equals("sample")) {
                    out.put("tokens", batch * fresh);
                } else {
                    out.put("rows", batch);
                }
            }
        }
        out.put("peak_mb", residentMb(device, "VmHWM:"));
        System.out.println(Json.MAPPER.writeValueAsString(out));
    }

    /** A timed round lasts at least this long: shorter ones (a tiny model's step is ~40 ms) swing with the machine. */
    static final double MIN_ROUND_SECONDS = 0.5;

    /**
     * How many runs make one timed round: enough for {@link #MIN_ROUND_SECONDS}, from one more (untimed) run; each
     * round reports its mean. {@code scripts/torch_side.py} applies the same rule.
     */
    static int repeatsPerRound(Runnable work) {
        long t0 = System.nanoTime();
        work.run();
        double once = (System.nanoTime() - t0) / 1e9;
        return (int) Math.max(1, Math.min(1000, Math.ceil(MIN_ROUND_SECONDS / Math.max(once, 1e-6))));
    }

    /** This process's minor page faults so far ({@code /proc/self/stat}), or -1 where there is none. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]); // field 10 of the line, the 8th after the command name
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Resident memory on the CPU ({@code VmRSS:} now, {@code VmHWM:} the peak); on a GPU the device memory PyTorch's
     * allocator holds.
     */
    static double residentMb(Device device, String field) throws IOException {
        if (device.isGpu()) {
            return ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getCommitted() / 1048576.0;
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }

    static List<int[]> randomIds(int vocab, int rows, int length, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            out.add(rng.ints(length, 0, vocab).toArray());
        }
        return out;
    }

    private static Runnable sampler(Policy policy, int batch, int prompt, int fresh) {
        RolloutEngine engine = new RolloutEngine(policy, null, new int[0]); // no EOS: every row makes all tokens
        List<int[]> prompts = randomIds(policy.config().vocabSize, batch, prompt, 3);
        SamplingParams params = SamplingParams.sample(1.0, fresh, 1, 1);
        return () -> engine.generate(prompts, params);
    }

    private static Runnable trainer(Policy policy, int batch, int prompt, int fresh, Device device, DataType dtype) {
        Recipe recipe = RecipeLoader.fromOverrides(List.of("train.micro_batch_size=" + batch,
                "train.prompts_per_step=" + Math.max(1, batch / 2), "train.group_size=2", "rollout.max_new_tokens=" + fresh,
                "optim.lr=1e-5", "optim.weight_decay=0.01", "optim.max_grad_norm=1.0",
                "train.precision=" + (dtype == DataType.FLOAT16 ? "float16" : "float32")));
        PolicyUpdate update = new PolicyUpdate(policy, null, false, policy.trainableParameters(false),
                n -> policy.role(n).decayed(), recipe, device, dtype);
        List<int[]> prompts = randomIds(policy.config().vocabSize, batch, prompt, 5);
        List<int[]> completions = randomIds(policy.config().vocabSize, batch, fresh, 6);
        SequenceBatch seqs = new SequenceBatch(prompts, completions, null);
        float[] adv = new float[batch];
        for (int i = 0; i < batch; i++) {
            adv[i] = i % 2 == 0 ? 1f : -1f;
        }
        int[] step = {0};
        return () -> update.run(seqs, adv, 1e-5, ++step[0]);
    }

    private static void logits(Policy policy, Path idsFile, Path logitsFile) throws IOException {
        List<int[]> ids = randomIds(policy.config().vocabSize, 2, 12, 7);
        ObjectNode in = Json.MAPPER.createObjectNode();
        ArrayNode rows = in.putArray("input_ids");
        long[] flat = new long[2 * 12];
        for (int r = 0; r < 2; r++) {
            ArrayNode row = rows.addArray();
            for (int t = 0; t < 12; t++) {
                row.add(ids.get(r)[t]);
                flat[r * 12 + t] = ids.get(r)[t];
            }
        }
        Files.writeString(idsFile, Json.MAPPER.writeValueAsString(in));
        try (NoGrad ng = new NoGrad(); NDManager m = policy.manager().newSubManager()) {
            NDArray x = m.create(flat, new Shape(2, 12));
            long[][] mask = new long[2][12];
            for (long[] row : mask) {
                java.util.Arrays.fill(row, 1);
            }
            NDArray am = m.create(mask);
            NDArray pos = m.create(Policy.positionIds(mask));
            float[] v = policy.forward(x, am, pos).toType(DataType.FLOAT32, false).toFloatArray();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            Files.write(logitsFile, buf.array()); // float32 little-endian, [2, 12, vocab]
        }
    }

}
