package io.zerorl.cluster;

import io.zerorl.reward.Score;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.util.ZerorlException;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rollouts, rewards and evaluation on a cluster's executors, while the learner stays in this process. The requests are
 * cut into {@link Chunk}s (one task each); each executor holds its own model ({@link Worker}) and samples with the
 * weight version last {@link #publish published}; results come back in request order. The one implementation is
 * Apache Spark's ({@code io.zerorl.cluster.spark.SparkScaleOut}), loaded by name, so a run without a master loads no
 * Spark class.
 */
public abstract class ScaleOut implements AutoCloseable {
    /** One independent request: prompts seeded from {@code firstPrompt}, sampled with {@code params}; one task. */
    public record Request(List<int[]> prompts, SamplingParams params, int firstPrompt) {}

    /**
     * A sampled (and scored) request.
     *
     * @param completions prompt by prompt, sample by sample; prompt indices within the whole request
     * @param scores      per reward function, in completion order (empty when not scored)
     * @param chunks      the tasks, in request order
     * @param wallNanos   time from submitting the tasks to having all results
     */
    public record Sampled(List<Completion> completions, Map<String, List<Score>> scores, List<ChunkResult> chunks,
                          long wallNanos) {
        /** The longest time one task spent scoring. */
        public long maxScoreNanos() {
            return chunks.stream().mapToLong(ChunkResult::scoreNanos).max().orElse(0);
        }
    }

    private static final String SPARK = "io.zerorl.cluster.spark.SparkScaleOut";

    /**
     * Starts the cluster of {@code config.master()} for {@code model}.
     *
     * @param threads PyTorch CPU threads per executor
     */
    public static ScaleOut open(ClusterConfig config, ModelSpec model, String appName, int threads) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("no master: run in-process");
        }
        Class<?> impl;
        try {
            impl = Class.forName(SPARK);
            Class.forName("org.apache.spark.SparkConf");
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new ZerorlException("--master " + config.master() + " needs Apache Spark's jars on the class path:"
                    + " ./zerorl adds target/spark-lib when --master or cluster.master is given (built by mvn package);"
                    + " with spark-submit they are Spark's own");
        }
        try {
            return (ScaleOut) impl.getMethod("start", ClusterConfig.class, ModelSpec.class, String.class, int.class)
                    .invoke(null, config, model, appName, threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ZerorlException("cannot start the cluster at " + config.master() + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the chunks as tasks; results in chunk order. */
    protected abstract List<ChunkResult> run(List<Chunk> chunks);

    /** Makes {@code weights} the version every following task samples with. */
    public abstract void publish(WeightsManifest weights, Map<String, byte[]> adapterFiles);

    /** Executors registered now. */
    public abstract int executors();

    /** The master URL. */
    public abstract String master();

    /** The settings it was started with. */
    public abstract ClusterConfig config();

    /** Prompts per task: {@code chunk_prompts}, or an even share of {@code total} per executor. */
    int promptsPerTask(int total) {
        int c = config().chunkPrompts();
        return c > 0 ? c : Math.max(1, (total + Math.max(1, executors()) - 1) / Math.max(1, executors()));
    }

    /**
     * Samples {@code params.n()} completions for each prompt, in chunks of consecutive prompts seeded by their index in
     * this request, and scores them with {@code rewards} (the recipe's entries) when {@code rows} is not null.
     */
    public Sampled sample(List<int[]> prompts, List<RewardRow> rows, SamplingParams params,
                          List<Map<String, Object>> rewards) {
        int per = promptsPerTask(prompts.size());
        List<Chunk> chunks = new ArrayList<>();
        List<Map<String, Object>> shipped = rows == null ? null : absolutePaths(rewards);
        for (int start = 0, i = 0; start < prompts.size(); start += per, i++) {
            int end = Math.min(prompts.size(), start + per);
            chunks.add(new Chunk(i, start, List.copyOf(prompts.subList(start, end)), params,
                    rows == null ? null : List.copyOf(rows.subList(start, end)), shipped));
        }
        long t0 = System.nanoTime();
        List<ChunkResult> results = run(chunks);
        long wall = System.nanoTime() - t0;
        List<Completion> all = new ArrayList<>();
        Map<String, List<Score>> scores = new LinkedHashMap<>();
        for (int c = 0; c < chunks.size(); c++) {
            ChunkResult r = results.get(c);
            int offset = chunks.get(c).firstPrompt();
            for (Completion x : r.completions()) {
                all.add(new Completion(x.promptIndex() + offset, x.sampleIndex(), x.promptIds(), x.tokenIds(),
                        x.logprobs(), x.text(), x.finishReason()));
            }
            r.scores().forEach((name, list) -> scores.computeIfAbsent(name, k -> new ArrayList<>()).addAll(list));
        }
        return new Sampled(all, scores, results, wall);
    }

    /** Each request as one task (an evaluation batch), results in request order. */
    public List<ChunkResult> generate(List<Request> requests) {
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            chunks.add(new Chunk(i, r.firstPrompt(), List.copyOf(r.prompts()), r.params(), null, null));
        }
        return run(chunks);
    }

    /**
     * Reward entries with their file arguments made absolute: executors run in their own working folders, so a
     * relative {@code rewards/MyReward.java} or {@code [python3, my_reward.py]} is resolved here, where the recipe was
     * written for.
     */
    public static List<Map<String, Object>> absolutePaths(List<Map<String, Object>> rewards) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> m : rewards) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(k, absolute(v)));
            out.add(copy);
        }
        return out;
    }

    private static Object absolute(Object v) {
        if (v instanceof String s && !s.isBlank() && !s.contains("://")) {
            try {
                Path p = Path.of(s);
                if (!p.isAbsolute() && Files.exists(p)) {
                    return p.toAbsolutePath().normalize().toString();
                }
            } catch (java.nio.file.InvalidPathException ignored) {
                return s;
            }
            return s;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ScaleOut::absolute).toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(k, absolute(x)));
            return copy;
        }
        return v;
    }

    @Override
    public abstract void close();
}
