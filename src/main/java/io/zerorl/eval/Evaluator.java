package io.zerorl.eval;

import io.zerorl.data.DataDirs;
import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetDescriptor;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.data.Problem;
import io.zerorl.data.PromptTemplate;
import io.zerorl.data.PromptTemplates;
import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs benchmarks: problems -> prompt template -> {@link CompletionSource} -> the reward verifier of the
 * problem's {@link io.zerorl.data.AnswerKind} ({@link Verifiers}) -> pass@1, pass@k, maj@k ({@link Metrics})
 * -> reports ({@link Reports}). The CLI, the trainer ({@link EvalDuringTraining}) and notebooks all call this.
 *
 * <p>Reproducibility: generation happens in batches of {@code batchSize} prompts; batch b samples with seed
 * {@code mix(seed, first problem index of b)}, and the rollout engine seeds each row from (that seed, prompt,
 * sample). So the same config and model give the same samples and numbers, and problem i's samples do not
 * depend on {@code limit}; changing {@code batchSize} changes which random numbers a problem gets.
 *
 * <p>Verifiers are created once per evaluator and reused (the code sandbox keeps a worker pool): close the
 * evaluator when done.
 */
public final class Evaluator implements AutoCloseable {
    private final CompletionSource source;
    private final RewardRegistry rewards;
    private final Map<String, RewardFunction> verifiers = new HashMap<>();
    private BatchListener progress = (benchmark, done, total) -> { };

    /** Called after every generation batch with the problems done so far in {@code benchmark}. */
    @FunctionalInterface
    public interface BatchListener {
        void afterBatch(String benchmark, int done, int total);
    }

    public Evaluator(CompletionSource source) {
        this(source, RewardRegistry.standard());
    }

    public Evaluator(CompletionSource source, RewardRegistry rewards) {
        this.source = source;
        this.rewards = rewards;
    }

    /** Receives one line per finished batch (e.g. {@code gsm8k: 64/1319 problems}). */
    public Evaluator onProgress(Consumer<String> sink) {
        return onBatch((benchmark, done, total) -> sink.accept(progressLine(benchmark, done, total)));
    }

    /** Receives the counts after every batch (the CLI draws a progress bar from them). */
    public Evaluator onBatch(BatchListener listener) {
        this.progress = listener;
        return this;
    }

    /** The line {@link #onProgress} prints. */
    public static String progressLine(String benchmark, int done, int total) {
        return benchmark + ": " + done + "/" + total + " problems";
    }

    /** Evaluates with a throwaway evaluator. */
    public static EvalResult run(EvalConfig config, CompletionSource source) {
        try (Evaluator e = new Evaluator(source)) {
            return e.run(config);
        }
    }

    /**
     * Loads every benchmark first (so a missing or malformed file fails before any generation), evaluates each
     * in turn, and writes the reports when {@code config.output()} is set.
     */
    public EvalResult run(EvalConfig config) {
        return run(load(config), config);
    }

    /**
     * Evaluates datasets already in memory (e.g. a trainer's held-out rows: {@code new Dataset(descriptor, rows)});
     * {@code config.benchmarks()} is only recorded, the datasets' own names label the results.
     */
    public EvalResult run(List<Dataset> datasets, EvalConfig config) {
        List<EvalResult.BenchmarkResult> results = new ArrayList<>();
        for (Dataset d : datasets) {
            EvalResult.BenchmarkResult r = evaluate(d, config);
            results.add(r);
            if (config.output() != null) {
                Reports.writeBenchmark(r, config.output());
            }
        }
        EvalResult result = new EvalResult(settings(config), results);
        if (config.output() != null) {
            Reports.writeSummary(result, config.output());
        }
        return result;
    }

    /** The datasets the config names, loaded and checked (row counts, fields), in order. */
    public static List<Dataset> load(EvalConfig config) {
        DatasetRegistry registry = DatasetRegistry.builtin();
        if (config.descriptorDir() != null) {
            registry.loadDirectory(config.descriptorDir());
        }
        DataDirs dirs = DataDirs.resolve(config.dataDir());
        List<Dataset> out = new ArrayList<>();
        for (String name : config.benchmarks()) {
            DatasetDescriptor d = descriptor(registry, name);
            Dataset ds = DatasetRegistry.load(d, dirs);
            if (ds.rows().isEmpty()) {
                throw new ZerorlException("benchmark '" + d.name() + "' has no problems (empty file or filter)");
            }
            ds.problems(); // every row yields its id, question and gold answer, or the error names the row
            out.add(ds);
        }
        return out;
    }

    /** A registered dataset name, or a path to a descriptor YAML file (for any JSONL a descriptor describes). */
    static DatasetDescriptor descriptor(DatasetRegistry registry, String name) {
        if (DatasetRegistry.isDescriptorFile(name)) {
            return registry.resolve(name);
        }
        try {
            return registry.get(name);
        } catch (ZerorlException e) {
            throw new ZerorlException("unknown benchmark '" + name + "': " + e.getMessage().replaceFirst("^unknown dataset '[^']*'; ", "")
                    + " (or give a descriptor file: path/to/name.yaml)");
        }
    }

    /** Evaluates one loaded benchmark (no files written). */
    public EvalResult.BenchmarkResult evaluate(Dataset dataset, EvalConfig config) {
        long t0 = System.nanoTime();
        DatasetDescriptor d = dataset.descriptor();
        List<Problem> problems = dataset.problems();
        if (config.limit() > 0 && problems.size() > config.limit()) {
            problems = problems.subList(0, config.limit());
        }
        String templateName = config.template() != null ? config.template() : d.template();
        PromptTemplate template = PromptTemplates.get(templateName, source.chatFormatter());
        Verifiers.Binding binding = Verifiers.forKind(d.answerKind());
        Map<String, Object> extra = config.rewardOptions().get(binding.reward());
        if (extra != null) {
            binding = binding.withOptions(extra);
        }
        RewardFunction verifier = verifier(binding);
        SamplingParams base = config.sampling();
        int n = config.n();

        List<EvalResult.ProblemRecord> records = new ArrayList<>(problems.size());
        int unscored = 0;
        int wave = Math.max(1, source.batchesAtOnce()) * config.batchSize();
        for (int waveStart = 0; waveStart < problems.size(); waveStart += wave) {
            // a wave of batches is generated together (in parallel on a cluster), then scored batch by batch
            List<List<CompletionSource.Request>> waveRequests = new ArrayList<>();
            List<SamplingParams> waveParams = new ArrayList<>();
            for (int start = waveStart; start < Math.min(problems.size(), waveStart + wave); start += config.batchSize()) {
                List<CompletionSource.Request> requests = new ArrayList<>();
                for (Problem p : problems.subList(start, Math.min(problems.size(), start + config.batchSize()))) {
                    requests.add(new CompletionSource.Request(p, template.render(p.question())));
                }
                waveRequests.add(requests);
                waveParams.add(withSeed(base, Seeds.mix(config.seed(), start)));
            }
            List<List<List<CompletionSource.Sample>>> generated = source.generateBatches(waveRequests, waveParams);
            for (int b = 0; b < waveRequests.size(); b++) {
                int start = waveStart + b * config.batchSize();
                List<Problem> batch = problems.subList(start, Math.min(problems.size(), start + config.batchSize()));
                List<CompletionSource.Request> requests = waveRequests.get(b);
                List<List<CompletionSource.Sample>> samples = generated.get(b);
                if (samples.size() != batch.size()) {
                    throw new IllegalStateException(source.describe() + " returned " + samples.size() + " groups for "
                            + batch.size() + " prompts");
                }
                List<RewardInput> inputs = new ArrayList<>(batch.size() * n);
                for (int i = 0; i < batch.size(); i++) {
                    if (samples.get(i).size() != n) {
                        throw new IllegalStateException(source.describe() + " returned " + samples.get(i).size()
                                + " samples for problem " + batch.get(i).id() + ", expected " + n);
                    }
                    Map<String, Object> fields = binding.fields().of(batch.get(i));
                    for (CompletionSource.Sample s : samples.get(i)) {
                        inputs.add(new RewardInput(requests.get(i).prompt(), s.text(), fields, s.tokens()));
                    }
                }
                List<Score> scores = verifier.score(inputs);
                for (int i = 0; i < batch.size(); i++) {
                    List<EvalResult.SampleRecord> rs = new ArrayList<>(n);
                    for (int j = 0; j < n; j++) {
                        CompletionSource.Sample s = samples.get(i).get(j);
                        Score sc = scores.get(i * n + j);
                        unscored += sc.applicable() ? 0 : 1;
                        rs.add(new EvalResult.SampleRecord(s.text(), binding.answerKey().of(s.text(), sc), sc.value(),
                                Verifiers.correct(sc), s.tokens(), s.finishReason(), sc.details()));
                    }
                    records.add(new EvalResult.ProblemRecord(batch.get(i).id(), requests.get(i).prompt(), batch.get(i).answer(),
                            List.copyOf(rs)));
                }
                progress.afterBatch(d.name(), records.size(), problems.size());
            }
        }
        return summarize(d.name(), templateName, binding.reward(), config, records, unscored,
                (System.nanoTime() - t0) / 1e9);
    }

    static EvalResult.BenchmarkResult summarize(String name, String template, String reward, EvalConfig config,
                                                List<EvalResult.ProblemRecord> records, int unscored, double seconds) {
        int p = records.size();
        int[] ns = new int[p];
        int[] cs = new int[p];
        List<boolean[]> correct = new ArrayList<>(p);
        List<List<String>> answers = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            List<EvalResult.SampleRecord> s = records.get(i).samples();
            boolean[] ok = new boolean[s.size()];
            List<String> a = new ArrayList<>(s.size());
            for (int j = 0; j < s.size(); j++) {
                ok[j] = s.get(j).correct();
                a.add(s.get(j).answer());
            }
            ns[i] = s.size();
            cs[i] = records.get(i).correct();
            correct.add(ok);
            answers.add(a);
        }
        Map<Integer, Metrics.Estimate> passAtK = new LinkedHashMap<>();
        Map<Integer, Metrics.Estimate> majAtK = new LinkedHashMap<>();
        for (int k : config.ks()) {
            passAtK.put(k, Metrics.passAtK(ns, cs, k));
            majAtK.put(k, Metrics.majAtKVerified(answers, correct, k));
        }
        return new EvalResult.BenchmarkResult(name, template, reward, config.n(), config.ks(), Metrics.passAt1(correct),
                passAtK, majAtK, unscored, seconds, List.copyOf(records));
    }

    private synchronized RewardFunction verifier(Verifiers.Binding b) {
        return verifiers.computeIfAbsent(b.reward() + new java.util.TreeMap<>(b.options()), k -> b.create(rewards));
    }

    private static SamplingParams withSeed(SamplingParams p, long seed) {
        return new SamplingParams(p.doSample(), p.temperature(), p.topP(), p.topK(), p.minP(), p.maxNewTokens(),
                p.stopTokenIds(), p.stopStrings(), p.n(), seed);
    }

    private Map<String, Object> settings(EvalConfig c) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("source", source.describe());
        s.put("benchmarks", c.benchmarks());
        s.put("template", c.template() == null ? "descriptor default" : c.template());
        s.put("n", c.n());
        s.put("k", c.ks());
        s.put("greedy", c.temperature() == 0);
        s.put("temperature", c.temperature());
        s.put("top_p", c.topP());
        s.put("top_k", c.topK());
        s.put("max_new_tokens", c.maxNewTokens());
        s.put("seed", c.seed());
        s.put("limit", c.limit());
        s.put("batch_size", c.batchSize());
        s.put("reward_options", c.rewardOptions());
        return s;
    }

    /** Shuts the verifiers' resources down (the code sandbox's worker pool). */
    @Override
    public synchronized void close() {
        try {
            for (RewardFunction f : verifiers.values()) {
                f.close();
            }
        } finally {
            verifiers.clear();
        }
    }
}
