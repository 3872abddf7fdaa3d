package io.zerorl.cli;

import io.zerorl.cluster.ChunkResult;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.data.PromptTemplate;
import io.zerorl.eval.CompletionSource;
import io.zerorl.eval.PolicyGenerator;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation completions from a cluster's executors: each batch is one task, sampled exactly as {@link PolicyGenerator}
 * samples it in-process (same ids, same seeds, same batch shape), so the scores and pass@k are the same. Only the
 * tokenizer is loaded here; the executors hold the model.
 */
final class ClusterGenerator implements CompletionSource {
    private final ScaleOut cluster;
    private final Tokenizer tokenizer;
    private final int context;
    private final String label;

    ClusterGenerator(ScaleOut cluster, Tokenizer tokenizer, int context, String label) {
        this.cluster = cluster;
        this.tokenizer = tokenizer;
        this.context = context;
        this.label = label;
    }

    @Override
    public List<List<Sample>> generate(List<Request> requests, SamplingParams params) {
        return generateBatches(List.of(requests), List.of(params)).get(0);
    }

    @Override
    public int batchesAtOnce() {
        return 2 * Math.max(1, cluster.executors()); // two tasks per executor in flight evens out their lengths
    }

    @Override
    public List<List<List<Sample>>> generateBatches(List<List<Request>> batches, List<SamplingParams> params) {
        List<ScaleOut.Request> tasks = new ArrayList<>(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            tasks.add(new ScaleOut.Request(PolicyGenerator.encode(tokenizer, batches.get(i), context), params.get(i), 0));
        }
        List<ChunkResult> results = cluster.generate(tasks);
        List<List<List<Sample>>> out = new ArrayList<>(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            out.add(PolicyGenerator.group(results.get(i).completions(), batches.get(i).size(), params.get(i).n()));
        }
        return out;
    }

    @Override
    public PromptTemplate.ChatFormatter chatFormatter() {
        return PolicyGenerator.chatFormatter(tokenizer);
    }

    @Override
    public String describe() {
        return label;
    }
}
