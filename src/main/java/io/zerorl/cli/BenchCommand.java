package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import io.zerorl.rollout.bench.RolloutBenchmark;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code zerorl bench ...}: performance measurements (hidden from the main help). */
@Command(name = "bench", hidden = true, mixinStandardHelpOptions = true,
        description = "Performance benchmarks.", subcommands = {BenchCommand.Rollout.class},
        footer = {"", "Examples:", "  ./zerorl bench rollout --quick --threads 1"})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true,
            description = "Tokens/s of KV-cached sampling vs the uncached baseline, per model and batch size.",
            footer = {"",
                "Without --quick: the full matrix (the GPU target): tiny fixtures, " + RolloutBenchmark.QWEN25_05B + " and "
                    + RolloutBenchmark.MOE + ",",
                "batch 1, 16, 64, 256, prompt 128, 256 new tokens; uncached baseline on 32 new tokens.",
                "This takes hours on a CPU: use --quick there (tiny fixtures at prompt 128 / 64 new tokens, the",
                "large shapes at batch 1 and 4, prompt 32, 16 new tokens).",
                "", "Examples:",
                "  ./zerorl bench rollout --quick",
                "  ./zerorl bench rollout --device gpu --dtype float16",
                "  ./zerorl bench rollout --models fixture:qwen2-tiny --batches 1,16 \\",
                "      --prompt-len 64 --new-tokens 32"})
    static final class Rollout implements Callable<Integer> {
        @Option(names = "--quick", description = "A plan that fits a small CPU in a few minutes (see below).")
        boolean quick;

        @Option(names = "--models", split = ",", description = "fixture:NAME, a model directory, "
                + RolloutBenchmark.QWEN25_05B + " or " + RolloutBenchmark.MOE + ".")
        List<String> models;

        @Option(names = "--batches", split = ",", description = "Batch sizes (default 1,16,64,256).")
        List<Integer> batches;

        @Option(names = "--prompt-len", description = "Prompt tokens per row (default 128).")
        Integer promptLen;

        @Option(names = "--new-tokens", description = "New tokens per row (default 256).")
        Integer newTokens;

        @Option(names = "--uncached-tokens", description = "New tokens for the uncached baseline; 0 skips it (default 32).")
        Integer uncachedTokens;

        @Mixin
        ComputeOptions compute = new ComputeOptions();

        @Option(names = "--repeat", defaultValue = "1", description = "Runs per measurement, fastest kept (default ${DEFAULT-VALUE}).")
        int repeat;

        @Option(names = "--fixtures", description = "Folder of the tiny fixtures (default: fixtures/hf-tiny in $ZERORL_SHARED,"
                + " else in the shared folder beside the project).")
        Path fixtures;

        @Override
        public Integer call() {
            Device dev = compute.device(); // applies --threads
            DataType type = compute.dtype();
            List<RolloutBenchmark.Case> plan = plan();
            boolean needsFixtures = plan.stream().anyMatch(c -> c.model().startsWith("fixture:"));
            Path fx = fixtures != null ? fixtures : needsFixtures ? SharedDir.fixtures() : null;
            Engine.getInstance(); // loads the native library (JniUtils needs it)
            System.out.println("bench rollout: " + (quick ? "quick plan (CPU-sized; the full matrix is for the GPU)"
                    : "full matrix") + ", " + plan.size() + " cases on " + dev + ", " + type + ", "
                    + JniUtils.getNumThreads() + " intra-op thread(s) of " + Runtime.getRuntime().availableProcessors()
                    + " cores");
            new RolloutBenchmark(fx, dev, type, repeat, System.out).run(plan);
            return 0;
        }

        List<RolloutBenchmark.Case> plan() {
            List<String> tiny = List.of("fixture:qwen2-tiny", "fixture:qwen3moe-tiny");
            List<String> big = List.of(RolloutBenchmark.QWEN25_05B, RolloutBenchmark.MOE);
            List<RolloutBenchmark.Case> out = new ArrayList<>();
            if (quick) {
                for (String m : models != null ? models : concat(tiny, big)) {
                    boolean small = m.startsWith("fixture:");
                    List<Integer> bs = batches != null ? batches : small ? List.of(1, 16, 64, 256) : List.of(1, 4);
                    int p = promptLen != null ? promptLen : small ? 128 : 32;
                    int n = newTokens != null ? newTokens : small ? 64 : 16;
                    int u = uncachedTokens != null ? uncachedTokens : small ? 16 : 4;
                    for (int b : bs) {
                        out.add(new RolloutBenchmark.Case(m, b, p, n, Math.min(u, n)));
                    }
                }
            } else {
                for (String m : models != null ? models : concat(tiny, big)) {
                    int n = newTokens != null ? newTokens : 256;
                    for (int b : batches != null ? batches : List.of(1, 16, 64, 256)) {
                        out.add(new RolloutBenchmark.Case(m, b, promptLen != null ? promptLen : 128, n,
                                Math.min(uncachedTokens != null ? uncachedTokens : 32, n)));
                    }
                }
            }
            for (RolloutBenchmark.Case c : out) {
                if (c.batch() < 1 || c.promptLen() < 1 || c.newTokens() < 1 || c.uncachedTokens() < 0) {
                    throw new ZerorlException("batch, prompt length and new tokens must be >= 1, uncached tokens >= 0: " + c);
                }
            }
            return out;
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }
    }
}
