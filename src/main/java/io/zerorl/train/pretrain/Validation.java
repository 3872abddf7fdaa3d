package io.zerorl.train.pretrain;

import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.model.Policy;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the pretraining stop rule measures: greedy answers to {@link PretrainCorpus#probes} (train-split sums, in the
 * corpus's own formats, never the RL format), as the share answered right per probe kind. The stop rule reads
 * {@link Result#score}, the lowest of the kinds: the model must both do the sums and copy them after
 * {@code <think>}.
 */
public final class Validation {
    /** Accuracy per probe kind, and the score the stop rule compares with its target (the lowest). */
    public record Result(Map<String, Double> byKind, double score) {}

    private static final int MAX_NEW_TOKENS = 48;

    private final List<PretrainCorpus.Probe> probes;
    private final Function<String, int[]> encode;
    private final Function<int[], String> decode;
    private final int[] eos;

    public Validation(List<PretrainCorpus.Probe> probes, Function<String, int[]> encode, Function<int[], String> decode,
                      int[] eos) {
        this.probes = List.copyOf(probes);
        this.encode = encode;
        this.decode = decode;
        this.eos = eos.clone();
    }

    /** Greedy completions of every probe by the policy as it is now (no gradients recorded). */
    public Result measure(Policy policy) {
        List<int[]> prompts = new ArrayList<>(probes.size());
        for (PretrainCorpus.Probe p : probes) {
            prompts.add(encode.apply(p.prompt()));
        }
        List<Completion> out = new RolloutEngine(policy, decode::apply, eos).generate(prompts,
                SamplingParams.greedy(MAX_NEW_TOKENS));
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Completion c : out) {
            PretrainCorpus.Probe p = probes.get(c.promptIndex());
            int[] k = counts.computeIfAbsent(p.kind(), x -> new int[2]);
            k[0] += p.passedBy(c.text()) ? 1 : 0;
            k[1]++;
        }
        Map<String, Double> byKind = new LinkedHashMap<>();
        double score = 1;
        for (var e : counts.entrySet()) {
            double acc = (double) e.getValue()[0] / e.getValue()[1];
            byKind.put(e.getKey(), acc);
            score = Math.min(score, acc);
        }
        return new Result(byKind, counts.isEmpty() ? 0 : score);
    }
}
