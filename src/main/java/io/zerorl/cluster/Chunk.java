package io.zerorl.cluster;

import io.zerorl.rollout.SamplingParams;

import java.util.List;
import java.util.Map;

/**
 * One task: prompts to sample {@code params.n()} completions each from, seeded as prompts {@code firstPrompt,
 * firstPrompt + 1, ...} of the whole request (so a chunk sampled anywhere equals the same chunk sampled in-process), and
 * when {@code rewards} is not null, the dataset rows to score the completions with those reward entries (the recipe's
 * {@code rewards:} maps, paths made absolute).
 */
public record Chunk(int index, int firstPrompt, List<int[]> prompts, SamplingParams params, List<RewardRow> rows,
                    List<Map<String, Object>> rewards) {
    public Chunk {
        if (rows != null && rows.size() != prompts.size()) {
            throw new IllegalArgumentException(rows.size() + " reward rows for " + prompts.size() + " prompts");
        }
    }
}
