package io.zerorl.cli;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.cluster.ClusterConfig;
import io.zerorl.cluster.ModelSpec;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.data.Dataset;
import io.zerorl.eval.CompletionSource;
import io.zerorl.eval.EvalConfig;
import io.zerorl.eval.EvalResult;
import io.zerorl.eval.Evaluator;
import io.zerorl.eval.PolicyGenerator;
import io.zerorl.eval.ReferenceSource;
import io.zerorl.eval.Reports;
import io.zerorl.model.Architectures;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** {@code zerorl eval}: pass@1 / pass@k / maj@k of a model on math and code benchmarks. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on benchmarks (pass@1 over n samples, unbiased pass@k, maj@k, with standard errors).",
        footer = {"", "Benchmarks: gsm8k, math500, aime24, amc23, humaneval, mbpp, mbpp_sanitized, countdown,",
            "any descriptor in --descriptors DIR, or a descriptor file path/to/name.yaml",
            "(see datasets/README.md). Writes <output>/<benchmark>/problems.jsonl and summary.json,",
            "and <output>/summary.json and summary.md.",
            "", "Examples:",
            "  # checks templates, verifiers and metrics without a model: expect 100%%",
            "  ./zerorl eval --reference oracle --benchmark gsm8k --limit 50 \\",
            "      --data-dir ../shared/datasets",
            "  ./zerorl eval --model ../shared/fixtures/hf-tiny/qwen2-tiny --benchmark gsm8k \\",
            "      --limit 8 --max-new-tokens 32 --data-dir ../shared/datasets --output /tmp/eval",
            "  ./zerorl eval --model MODEL_DIR --benchmark gsm8k,math500 --n 8 --k 1,8 \\",
            "      --temperature 0.6     # MODEL_DIR: e.g. a Qwen2.5-Math-1.5B download"})
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options = new ModelOptions();

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--reference", description = "Instead of a model, answer with the gold solution (oracle) or wrongly"
            + " (wrong): a self-check of templates, verifiers and metrics.")
    String reference;

    @Option(names = "--benchmark", required = true, split = ",", description = "Benchmark name(s), comma-separated.")
    List<String> benchmarks;

    @Option(names = "--n", defaultValue = "1", description = "Samples per problem (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--k", split = ",", defaultValue = "1", description = "k of pass@k and maj@k, comma-separated, each <= n (default ${DEFAULT-VALUE}).")
    List<Integer> ks;

    @Option(names = "--temperature", defaultValue = "0.6", description = "Sampling temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus sampling (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Top-k sampling, 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--max-new-tokens", defaultValue = "1024", description = "Completion length limit (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N problems of each benchmark; 0 = all.")
    int limit;

    @Option(names = "--batch-size", defaultValue = "16", description = "Prompts per generation batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--template", description = "Prompt template: r1, chat or plain (default: the benchmark's, r1).")
    String template;

    @Option(names = "--data-dir", description = "Folder holding the benchmark files (default ./datasets, then ~/.cache/zerorl/datasets).")
    Path dataDir;

    @Option(names = "--descriptors", description = "Folder of extra dataset descriptors (*.yaml).")
    Path descriptors;

    @Option(names = "--output", defaultValue = "eval-results", description = "Report folder (default ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--code-timeout-ms", description = "Wall-clock limit per program in the code sandbox (default: the code reward's, 10000).")
    Integer codeTimeoutMs;

    @Override
    public Integer call() {
        if (options.hasModel() == (reference != null)) {
            throw new ZerorlException("give either --model DIR or --reference oracle|wrong");
        }
        EvalConfig config = EvalConfig.builder().benchmarks(benchmarks).n(n).ks(ks).template(template)
                .temperature(temperature).topP(topP).topK(topK).maxNewTokens(maxNewTokens).seed(options.seed).limit(limit)
                .batchSize(batchSize).dataDir(dataDir).descriptorDir(descriptors).output(output)
                .rewardOptions(codeTimeoutMs == null ? Map.of() : Map.of("code", Map.of("timeout_ms", codeTimeoutMs)))
                .build();
        List<Dataset> datasets = Evaluator.load(config); // missing or malformed files fail before a model is loaded
        EvalResult result;
        if (reference != null) {
            result = evaluate(ReferenceSource.named(reference), datasets, config);
        } else {
            Path dir = ModelRef.resolveDir(options.model()).orElseThrow(() -> new ZerorlException(options.model()
                    + " has not been pretrained yet, and evaluation needs its tokenizer: run ./zerorl pretrain first"));
            if (cluster.enabled()) {
                // the executors hold the model; here only the tokenizer (prompts in, the chat template)
                options.compute.applyThreads();
                ModelSpec spec = new ModelSpec(dir.toAbsolutePath().toString(), options.compute.device, options.compute.dtype,
                        options.adapter == null ? null : options.adapter.toAbsolutePath().toString());
                int context = Architectures.parse(HfConfig.read(dir)).maxPositions;
                try (Tokenizer tokenizer = Tokenizer.load(dir);
                     ScaleOut c = ScaleOut.open(cluster.over(ClusterConfig.defaults()), spec, "zerorl eval",
                             ClusterOptions.threads())) {
                    result = evaluate(new ClusterGenerator(c, tokenizer, context, dir.toString()), datasets, config);
                }
            } else {
                try (Policy policy = options.withAdapter(Policy.load(dir, options.device(), options.dtype()));
                     Tokenizer tokenizer = Tokenizer.load(dir)) {
                    result = evaluate(new PolicyGenerator(policy, tokenizer, dir.toString()), datasets, config);
                }
            }
        }
        System.out.print(Reports.markdown(result));
        System.out.println("\nreports in " + output.toAbsolutePath().normalize());
        return 0;
    }

    private static EvalResult evaluate(CompletionSource source, List<Dataset> datasets, EvalConfig config) {
        return evaluate(source, datasets, config, "eval", System.err::println, Progress.live());
    }

    /**
     * Evaluates with one progress bar over all benchmarks' problems; plain output is one line per batch
     * ({@code gsm8k: 64/1319 problems}) to {@code lines}, or none when {@code lines} is null.
     */
    static EvalResult evaluate(CompletionSource source, List<Dataset> datasets, EvalConfig config, String task,
                               Consumer<String> lines, boolean live) {
        long total = 0;
        for (Dataset d : datasets) {
            total += config.limit() > 0 ? Math.min(config.limit(), d.rows().size()) : d.rows().size();
        }
        long[] finished = {0, 0}; // problems of the benchmarks before this one; this one's count so far
        try (Progress bar = Progress.open(task, total, 0, lines == null ? s -> { } : lines, live);
             Evaluator e = new Evaluator(source)) {
            e.onBatch((benchmark, n, of) -> {
                if (n <= finished[1]) { // the next benchmark started
                    finished[0] += finished[1];
                }
                finished[1] = n;
                bar.update(finished[0] + n, benchmark, lines == null ? null : Evaluator.progressLine(benchmark, n, of));
            });
            return e.run(datasets, config);
        }
    }
}
