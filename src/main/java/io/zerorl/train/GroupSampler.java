package io.zerorl.train;

import io.zerorl.algo.AdvantageEstimator;
import io.zerorl.algo.ScaleRewards;
import io.zerorl.cluster.RewardRow;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.recipe.Recipe;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.Score;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutConfig;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Seeds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first half of a GRPO step: prompts -> G completions each -> rewards -> group-relative advantages. With DAPO's
 * dynamic sampling (Yu et al. 2025) groups whose rewards are all equal carry no signal and are dropped, and more
 * prompts are sampled to refill the batch, for at most {@code max_refill_rounds} extra rounds (DAPO samples until
 * full; we cap the rounds and fill up with dropped groups). Prompts are drawn from the {@link PromptSource} at a
 * cursor this sampler advances; sampling is a function of (seed, step, refill round).
 */
final class GroupSampler {
    /** One group: its prompt, G completions and their scores. */
    record Group(PromptSource.Item item, int[] promptIds, List<Completion> completions, double[] rewards,
                 Map<String, List<Score>> perFunction) {
        boolean zeroStd() {
            for (double r : rewards) {
                if (r != rewards[0]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * What a step sampled.
     *
     * @param all             every group sampled, refills included (reward metrics are over these)
     * @param kept            the groups trained on, at most prompts_per_step
     * @param rounds          generation rounds (1 without dynamic sampling)
     * @param advantages      one per completion of {@code kept}, group by group
     * @param batch           the completions of {@code kept} as token sequences, with the loss mask
     * @param generateNanos   time spent generating
     * @param scoreNanos      time spent scoring
     * @param generatedTokens completion tokens generated, refills included
     */
    record Sampled(List<Group> all, List<Group> kept, int rounds, float[] advantages, SequenceBatch batch,
                   long generateNanos, long scoreNanos, long generatedTokens) {}

    private final RolloutEngine engine;
    private final Tokenizer tokenizer;
    private final WeightedRewards rewards;
    private final PromptSource source;
    private final RolloutConfig rollout;
    private final Recipe.Train train;
    private final AdvantageEstimator estimator;
    private final ScaleRewards scale;
    private final long seed;
    private final List<Map<String, Object>> rewardEntries;
    private ScaleOut cluster;
    private long cursor;

    GroupSampler(RolloutEngine engine, Tokenizer tokenizer, WeightedRewards rewards, PromptSource source,
                 Recipe recipe) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.rewards = rewards;
        this.source = source;
        this.rollout = recipe.rollout();
        this.train = recipe.train();
        this.estimator = recipe.algo().estimator();
        this.scale = recipe.algo().rewardScaling();
        this.seed = recipe.seed();
        this.rewardEntries = recipe.rewards();
    }

    /** Samples and scores on the executors of {@code c} from now on (null: in this process). */
    void useCluster(ScaleOut c) {
        this.cluster = c;
    }

    /** Prompts drawn so far (over all epochs): where the next step starts. */
    long cursor() {
        return cursor;
    }

    /** Continues from a checkpoint's cursor. */
    void seek(long c) {
        this.cursor = c;
    }

    int datasetSize() {
        return source.size();
    }

    /** Samples, scores and refills the groups of {@code step}, then computes their advantages. */
    Sampled sample(int step) {
        boolean dynamic = train.dapo().dynamicSampling();
        int wanted = train.promptsPerStep();
        List<Group> all = new ArrayList<>();
        List<Group> kept = new ArrayList<>();
        long[] nanos = new long[2];
        long tokens = 0;
        int rounds = 0;
        while (kept.size() < wanted) {
            int need = dynamic ? wanted - kept.size() : wanted;
            List<Group> groups = round(step, rounds, need, nanos);
            for (Group grp : groups) {
                tokens += grp.completions().stream().mapToLong(Completion::length).sum();
                all.add(grp);
                if (!dynamic || !grp.zeroStd()) {
                    kept.add(grp);
                }
            }
            rounds++;
            if (!dynamic) {
                break;
            }
            if (rounds > train.dapo().maxRefillRounds()) {
                fillWithDropped(all, kept);
                break;
            }
        }
        if (kept.size() > wanted) {
            kept = new ArrayList<>(kept.subList(0, wanted));
        }
        return new Sampled(all, kept, rounds, advantages(kept), sequences(kept), nanos[0], nanos[1], tokens);
    }

    /** One generation round of {@code need} prompts; adds generation and scoring time to {@code nanos}. */
    private List<Group> round(int step, int round, int need, long[] nanos) {
        int g = train.groupSize();
        List<PromptSource.Item> items = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < need; i++) {
            PromptSource.Item it = source.get(cursor++);
            items.add(it);
            ids.add(tokenizer.encode(it.prompt()));
        }
        SamplingParams params = rollout.params(g, Seeds.mix(seed, step * 1024L + round));
        List<Completion> comps;
        WeightedRewards.Result scored;
        if (cluster == null) {
            long t0 = System.nanoTime();
            comps = engine.generate(ids, params);
            long t1 = System.nanoTime();
            nanos[0] += t1 - t0;
            List<RewardInput> inputs = new ArrayList<>();
            for (Completion c : comps) {
                PromptSource.Item it = items.get(c.promptIndex());
                inputs.add(new RewardInput(it.prompt(), c.text(), it.fields(), c.length()));
            }
            scored = rewards.score(inputs);
            nanos[1] += System.nanoTime() - t1;
        } else {
            // each executor samples a chunk of prompts and scores it in the same task
            List<RewardRow> rows = items.stream().map(it -> new RewardRow(it.prompt(), it.fields())).toList();
            ScaleOut.Sampled s = cluster.sample(ids, rows, params, rewardEntries);
            comps = s.completions();
            scored = rewards.combine(s.scores(), comps.size());
            nanos[0] += s.wallNanos() - s.maxScoreNanos();
            nanos[1] += s.maxScoreNanos();
        }
        List<Group> out = new ArrayList<>();
        for (int p = 0; p < need; p++) {
            double[] r = new double[g];
            System.arraycopy(scored.total(), p * g, r, 0, g);
            Map<String, List<Score>> per = new LinkedHashMap<>();
            for (var e : scored.perFunction().entrySet()) {
                per.put(e.getKey(), e.getValue().subList(p * g, (p + 1) * g));
            }
            out.add(new Group(items.get(p), ids.get(p), comps.subList(p * g, (p + 1) * g), r, per));
        }
        return out;
    }

    /** Out of refill rounds: the batch is topped up with dropped (equal-reward) groups, in sampling order. */
    private void fillWithDropped(List<Group> all, List<Group> kept) {
        for (Group grp : all) {
            if (kept.size() < train.promptsPerStep() && grp.zeroStd() && !kept.contains(grp)) {
                kept.add(grp);
            }
        }
    }

    private float[] advantages(List<Group> kept) {
        int g = train.groupSize();
        float[] rw = new float[kept.size() * g];
        for (int p = 0; p < kept.size(); p++) {
            for (int j = 0; j < g; j++) {
                rw[p * g + j] = (float) kept.get(p).rewards()[j];
            }
        }
        return estimator.compute(rw, g, scale);
    }

    /** The kept completions as sequences; overlong filtering masks truncated completions out of the loss. */
    private SequenceBatch sequences(List<Group> kept) {
        List<int[]> prompts = new ArrayList<>();
        List<int[]> completions = new ArrayList<>();
        boolean[] keep = new boolean[kept.size() * train.groupSize()];
        int i = 0;
        for (Group grp : kept) {
            for (Completion c : grp.completions()) {
                prompts.add(grp.promptIds());
                completions.add(c.tokenIds());
                keep[i++] = !(train.dapo().maskTruncatedCompletions() && c.truncated());
            }
        }
        return new SequenceBatch(prompts, completions, keep);
    }
}
