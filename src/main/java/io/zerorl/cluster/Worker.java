package io.zerorl.cluster;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.model.Devices;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.RewardSpec;
import io.zerorl.reward.Score;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The executor's side of a task, with no Spark in it: one model per JVM, loaded on the first task and kept (a long-lived
 * executor pays the load once), reloaded only when a task asks for a newer weight version; reward functions built once
 * per set of reward entries; tasks run one at a time (the model is not shared between threads).
 */
public final class Worker {
    private static final Object LOCK = new Object();
    private static State state;

    private Worker() {}

    /** The loaded model and what it was loaded from. */
    private static final class State implements AutoCloseable {
        final String key;
        final ModelSpec model;
        final Device device;
        final DataType dtype;
        final Tokenizer tokenizer;
        Policy policy;
        long version = -1;
        String weightsKind = WeightsManifest.BASE;
        String rewardsKey;
        WeightedRewards rewards;

        State(String key, ModelSpec model, Device device) {
            this.key = key;
            this.model = model;
            this.device = device;
            this.dtype = Devices.dtype(model.dtype());
            Path dir = Path.of(model.path());
            this.tokenizer = Tokenizer.load(dir);
            try {
                this.policy = loadBase();
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        }

        Policy loadBase() {
            Policy p = Policy.load(Path.of(model.path()), device, dtype);
            if (model.adapter() != null) {
                try {
                    p.attach(PeftAdapter.read(Path.of(model.adapter()), p));
                } catch (RuntimeException e) {
                    p.close();
                    throw e;
                }
            }
            return p;
        }

        @Override
        public void close() {
            if (rewards != null) {
                rewards.close();
            }
            policy.close();
            tokenizer.close();
        }
    }

    /**
     * Runs one chunk on this JVM's model.
     *
     * @param weights      the version to sample with (reloaded when it differs from the one held)
     * @param adapterFiles PEFT's files when {@code weights} is an adapter
     * @param device       the device to load on (an executor's assigned GPU), or null for {@code model.device()}
     * @param executor     who runs it (reported back)
     * @param attempt      the task's attempt number (reported back)
     */
    public static ChunkResult run(ModelSpec model, WeightsManifest weights, Map<String, byte[]> adapterFiles,
                                  Chunk chunk, Device device, String executor, int attempt) {
        synchronized (LOCK) {
            State s = stateFor(model, device);
            apply(s, weights, adapterFiles);
            long t0 = System.nanoTime();
            RolloutEngine engine = new RolloutEngine(s.policy, ids -> s.tokenizer.decode(ids, true),
                    s.tokenizer.eosTokenIds());
            List<Completion> comps = engine.generate(chunk.prompts(), chunk.params(), chunk.firstPrompt());
            long t1 = System.nanoTime();
            Map<String, List<Score>> scores = Map.of();
            if (chunk.rows() != null) {
                scores = score(s, chunk, comps);
            }
            return new ChunkResult(chunk.index(), executor, s.version, attempt, t1 - t0, System.nanoTime() - t1, comps,
                    scores);
        }
    }

    /** Closes the model held by this JVM (tests; executors keep it until they exit). */
    public static void release() {
        synchronized (LOCK) {
            if (state != null) {
                state.close();
                state = null;
            }
        }
    }

    private static State stateFor(ModelSpec model, Device device) {
        Device d = device != null ? device : Devices.parse(model.device());
        String key = model.path() + "|" + d + "|" + model.dtype() + "|" + model.adapter();
        if (state == null || !state.key.equals(key)) {
            release();
            state = new State(key, model, d);
        }
        return state;
    }

    private static void apply(State s, WeightsManifest w, Map<String, byte[]> adapterFiles) {
        if (w.version() == s.version && w.kind().equals(s.weightsKind)) {
            return;
        }
        switch (w.kind()) {
            case WeightsManifest.BASE -> {
                if (s.version >= 0 && !s.weightsKind.equals(WeightsManifest.BASE)) {
                    replacePolicy(s, s.loadBase());
                }
            }
            case WeightsManifest.FULL -> {
                Path dir = Path.of(w.path());
                if (!Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE))
                        && !Files.isRegularFile(dir.resolve(Checkpoint.INDEX_FILE))) {
                    throw new ZerorlException("weights version " + w.version() + " are not at " + dir + " on this"
                            + " executor: cluster.weights_dir must be a folder every node can read (a shared file"
                            + " system), or train with LoRA, whose adapters travel with the task");
                }
                try (Checkpoint ck = Checkpoint.open(dir)) {
                    replacePolicy(s, Policy.load(s.policy.config(), ck, s.device, s.dtype));
                }
            }
            case WeightsManifest.ADAPTER -> {
                if (!s.weightsKind.equals(WeightsManifest.ADAPTER) && s.version >= 0
                        && !s.weightsKind.equals(WeightsManifest.BASE)) {
                    replacePolicy(s, s.loadBase());
                }
                LoraAdapters next = readAdapter(s.policy, adapterFiles, w.version());
                LoraAdapters old = s.policy.detach();
                if (old != null) {
                    old.close();
                }
                s.policy.attach(next);
            }
            default -> throw new IllegalArgumentException("unknown weights kind " + w.kind());
        }
        s.version = w.version();
        s.weightsKind = w.kind();
    }

    private static void replacePolicy(State s, Policy next) {
        s.policy.close();
        s.policy = next;
    }

    private static LoraAdapters readAdapter(Policy policy, Map<String, byte[]> files, long version) {
        if (files == null || !files.containsKey(PeftAdapter.CONFIG) || !files.containsKey(PeftAdapter.WEIGHTS)) {
            throw new IllegalStateException("weights version " + version + " is an adapter but its files were not sent");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("zerorl-adapter-");
            for (var e : files.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
            return PeftAdapter.read(dir, policy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the adapter of weights version " + version, e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static Map<String, List<Score>> score(State s, Chunk chunk, List<Completion> comps) {
        String key = chunk.rewards().toString();
        if (s.rewards == null || !key.equals(s.rewardsKey)) {
            if (s.rewards != null) {
                s.rewards.close();
                s.rewards = null;
            }
            s.rewards = WeightedRewards.of(chunk.rewards().stream().map(RewardSpec::fromMap).toList(),
                    RewardRegistry.standard());
            s.rewardsKey = key;
        }
        List<RewardInput> inputs = new ArrayList<>(comps.size());
        for (Completion c : comps) {
            RewardRow row = chunk.rows().get(c.promptIndex());
            inputs.add(new RewardInput(row.prompt(), c.text(), row.fields(), c.length()));
        }
        return new LinkedHashMap<>(s.rewards.score(inputs).perFunction());
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            HfExport.deleteTree(dir);
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
