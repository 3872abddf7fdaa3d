package io.zerorl.cluster;

import io.zerorl.reward.Score;
import io.zerorl.rollout.Completion;

import java.util.List;
import java.util.Map;

/**
 * What a task returns: its completions (prompt indices within the chunk), the scores per reward function (empty when
 * the chunk was not scored), the weight version it sampled with, which executor ran it (id and process), which attempt
 * it was, and its time spent generating and scoring.
 */
public record ChunkResult(int index, String executor, long version, int attempt, long generateNanos, long scoreNanos,
                          List<Completion> completions, Map<String, List<Score>> scores) {}
