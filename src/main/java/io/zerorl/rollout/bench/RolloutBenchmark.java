package io.zerorl.rollout.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.Policy;
import io.zerorl.model.RopeConfig;
import io.zerorl.model.WeightNames;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.util.WarmUp;
import io.zerorl.util.ZerorlException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Rollout throughput: new tokens per second of KV-cached sampling, and of the uncached baseline (the
 * whole sequence recomputed every step), for a list of models and batch sizes.
 *
 * <p>Models are Hugging Face directories (the tiny fixtures) or generated shapes ({@link #shape}): weights
 * are random (normal 0.02), which changes nothing about the cost of a step. Rows never stop early (no EOS),
 * so every row generates exactly {@code newTokens}. Prompts are random ids of exactly {@code promptLen}.
 * A model whose {@code max_position_embeddings} is below prompt + new tokens gets it raised (rotary has no
 * limit; only the timing matters here).
 *
 * <p>Tokens/s counts generated tokens (batch x new tokens) over the wall time of {@code generate}, prefill
 * included. The uncached baseline may run fewer new tokens (its cost per token grows with the sequence):
 * then its rate is flattered (shorter sequences) and the ratio is a lower bound of the cache's gain.
 */
public final class RolloutBenchmark {
    /** Generated shape of Qwen2.5-0.5B (HF config of Qwen/Qwen2.5-0.5B). */
    public static final String QWEN25_05B = "qwen2.5-0.5b-shape";
    /** A mid-size MoE: hidden 1024, 12 layers, 32 experts top-4 of width 384 (Qwen3-MoE layout). */
    public static final String MOE = "moe-shape";

    /** One measurement to make. */
    public record Case(String model, int batch, int promptLen, int newTokens, int uncachedTokens) {}

    /** One measured row; {@code uncachedTokensPerSec} is NaN when the baseline was skipped. */
    public record Result(Case c, String modelDesc, double cachedSeconds, double cachedTokensPerSec,
                         double uncachedSeconds, double uncachedTokensPerSec) {
        public double ratio() {
            return cachedTokensPerSec / uncachedTokensPerSec;
        }
    }

    private final Path fixtures;
    private final Device device;
    private final DataType dtype;
    private final PrintStream out;
    private final int repeats;

    /** @param repeats runs per measurement; the fastest counts (shared machines are noisy) */
    public RolloutBenchmark(Path fixtures, Device device, DataType dtype, int repeats, PrintStream out) {
        this.fixtures = fixtures;
        this.device = device;
        this.dtype = dtype;
        this.repeats = Math.max(1, repeats);
        this.out = out;
    }

    /**
     * A generated shape's config. {@code qwen2.5-0.5b-shape}: hidden 896, 24 layers, 14 heads / 2 KV heads,
     * intermediate 4864, vocab 151936, q/k/v bias, tied embeddings, rope theta 1e6. {@code moe-shape}:
     * hidden 1024, 12 layers, 16 heads / 4 KV heads of 64, q/k norm, 32 experts top-4 of width 384
     * (renormalised softmax router), vocab 151936 tied.
     */
    public static ModelConfig shape(String name) {
        ModelConfig.Builder b;
        switch (name) {
            case QWEN25_05B -> {
                b = new ModelConfig.Builder("qwen2");
                b.vocabSize = 151936;
                b.hiddenSize = 896;
                b.numLayers = 24;
                b.numHeads = 14;
                b.numKvHeads = 2;
                b.headDim = 64;
                b.intermediateSize = 4864;
                b.qkvBias = true;
                b.tieEmbeddings = true;
                b.maxPositions = 32768;
                b.rope = RopeConfig.defaults(1_000_000);
            }
            case MOE -> {
                b = new ModelConfig.Builder("qwen3_moe");
                b.vocabSize = 151936;
                b.hiddenSize = 1024;
                b.numLayers = 12;
                b.numHeads = 16;
                b.numKvHeads = 4;
                b.headDim = 64;
                b.qkNorm = true;
                b.numExperts = 32;
                b.topK = 4;
                b.moeIntermediateSize = 384;
                b.normTopkProb = true;
                b.tieEmbeddings = true;
                b.maxPositions = 32768;
                b.rope = RopeConfig.defaults(1_000_000);
                b.sparseLayers = new boolean[b.numLayers];
                java.util.Arrays.fill(b.sparseLayers, true);
            }
            default -> throw new ZerorlException("unknown model shape '" + name + "'; known: " + QWEN25_05B + ", " + MOE
                    + ", fixture:<name> (a folder of the tiny fixtures) or a model directory");
        }
        b.names = WeightNames.STANDARD;
        return b.build();
    }

    /** Loads (fixture or directory) or initialises (shape) a model able to hold {@code context} tokens. */
    public Policy load(String model, int context) {
        Path dir = null;
        if (model.startsWith("fixture:")) {
            dir = fixtures.resolve(model.substring("fixture:".length()));
        } else if (!model.equals(QWEN25_05B) && !model.equals(MOE)) {
            dir = Path.of(model);
        }
        if (dir == null) {
            return Policy.init(withContext(shape(model), context), 1234, device, dtype);
        }
        if (!Files.isDirectory(dir)) {
            throw new ZerorlException("model folder not found: " + dir + " (for fixture:NAME set --fixtures to the"
                    + " hf-tiny folder, e.g. ../shared/fixtures/hf-tiny)");
        }
        ModelConfig c = withContext(Architectures.parse(HfConfig.read(dir)), context);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return Policy.load(c, ckpt, device, dtype);
        }
    }

    private static ModelConfig withContext(ModelConfig c, int context) {
        if (c.maxPositions >= context) {
            return c;
        }
        ModelConfig.Builder b = c.toBuilder();
        b.maxPositions = context;
        return b.build();
    }

    /** Runs the cases in order, model by model (each model is loaded once), printing rows as they finish. */
    public List<Result> run(List<Case> cases) {
        List<Result> results = new ArrayList<>();
        header();
        int i = 0;
        while (i < cases.size()) {
            String model = cases.get(i).model();
            int j = i;
            int context = 0;
            while (j < cases.size() && cases.get(j).model().equals(model)) {
                context = Math.max(context, cases.get(j).promptLen() + cases.get(j).newTokens());
                j++;
            }
            long t0 = System.nanoTime();
            try (Policy policy = load(model, context)) {
                String desc = policy.config().toString();
                out.printf(Locale.ROOT, "# %s: %s, %s on %s, ready in %.1f s%n", model, desc, dtype, device,
                        (System.nanoTime() - t0) / 1e9);
                warmUp(policy);
                for (int k = i; k < j; k++) {
                    Result r = measure(policy, desc, cases.get(k));
                    results.add(r);
                    row(r);
                }
            }
            i = j;
        }
        out.println("tokens/s = batch x new tokens / wall time of generate (prefill included), best of " + repeats
                + " after a warm-up of at least 3 s until two runs agree within 5% (at most 30 s per row); sampling at"
                + " temperature 1, no EOS.");
        if (results.stream().anyMatch(r -> r.c().uncachedTokens() > 0 && r.c().uncachedTokens() < r.c().newTokens())) {
            out.println("* uncached baseline measured on fewer new tokens (column 'unc.new'): shorter sequences flatter"
                    + " its rate, so the ratio is a lower bound.");
        }
        return results;
    }

    private void warmUp(Policy policy) {
        RolloutEngine engine = new RolloutEngine(policy, null, new int[0]);
        engine.generate(prompts(policy, 2, 8, 7), SamplingParams.sample(1.0, 4, 1, 1));
        engine.withoutCache().generate(prompts(policy, 2, 8, 7), SamplingParams.sample(1.0, 2, 1, 1));
    }

    private Result measure(Policy policy, String desc, Case c) {
        List<int[]> prompts = prompts(policy, c.batch(), c.promptLen(), 42);
        // each row warms up on its own shape until its time is stable (the Java side of the ops compiles over the first
        // runs); the uncached baseline shares that code
        WarmUp.untilStable(() -> time(new RolloutEngine(policy, null, new int[0]), prompts, c.newTokens()), 3, 1000, 30);
        double cached = Double.POSITIVE_INFINITY;
        double uncached = c.uncachedTokens() > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        for (int i = 0; i < repeats; i++) {
            cached = Math.min(cached, time(new RolloutEngine(policy, null, new int[0]), prompts, c.newTokens()));
            if (c.uncachedTokens() > 0) {
                uncached = Math.min(uncached, time(new RolloutEngine(policy, null, new int[0]).withoutCache(), prompts,
                        c.uncachedTokens()));
            }
        }
        return new Result(c, desc, cached, (double) c.batch() * c.newTokens() / cached,
                uncached, (double) c.batch() * c.uncachedTokens() / uncached);
    }

    private static double time(RolloutEngine engine, List<int[]> prompts, int newTokens) {
        long t0 = System.nanoTime();
        List<Completion> done = engine.generate(prompts, SamplingParams.sample(1.0, newTokens, 1, 7));
        double s = (System.nanoTime() - t0) / 1e9;
        for (Completion c : done) {
            if (c.length() != newTokens) {
                throw new IllegalStateException("a row generated " + c.length() + " tokens, expected " + newTokens);
            }
        }
        return s;
    }

    static List<int[]> prompts(Policy policy, int batch, int len, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int vocab = policy.config().vocabSize;
        List<int[]> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] p = new int[len];
            for (int t = 0; t < len; t++) {
                p[t] = 3 + rng.nextInt(vocab - 3);
            }
            out.add(p);
        }
        return out;
    }

    private void header() {
        out.printf(Locale.ROOT, "%-22s %6s %6s %6s %12s %9s %12s %7s %7s%n", "model", "batch", "prompt", "new",
                "cached tok/s", "cached s", "uncached t/s", "unc.new", "ratio");
    }

    private void row(Result r) {
        Case c = r.c();
        boolean partial = c.uncachedTokens() < c.newTokens();
        String unc = c.uncachedTokens() > 0 ? String.format(Locale.ROOT, "%12.1f", r.uncachedTokensPerSec()) : String.format("%12s", "-");
        String ratio = c.uncachedTokens() > 0 ? String.format(Locale.ROOT, "%6.2fx%s", r.ratio(), partial ? "*" : " ") : "      -";
        out.printf(Locale.ROOT, "%-22s %6d %6d %6d %12.1f %9.2f %s %7s %7s%n", shortName(c.model()), c.batch(),
                c.promptLen(), c.newTokens(), r.cachedTokensPerSec(), r.cachedSeconds(), unc,
                c.uncachedTokens() > 0 ? Integer.toString(c.uncachedTokens()) : "-", ratio);
        out.flush();
    }

    private static String shortName(String model) {
        if (model.startsWith("fixture:")) {
            return model.substring("fixture:".length());
        }
        String s = Path.of(model).getFileName() == null ? model : Path.of(model).getFileName().toString();
        return s.length() > 22 ? s.substring(0, 22) : s;
    }
}
