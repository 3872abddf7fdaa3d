package io.zerorl.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a training run produced.
 *
 * @param runDir         the run directory (metrics.jsonl, samples.jsonl, recipe.yaml, checkpoints/, export/)
 * @param steps          the last step completed
 * @param history        metrics of every step run by this call (a resumed run: from the resumed step on)
 * @param lastCheckpoint the newest checkpoint directory, or null
 * @param exportDir      the Hugging Face export, or null when not exported
 * @param refModelBuilt  whether a reference model was loaded (only when beta > 0)
 */
public record TrainResult(Path runDir, int steps, List<Map<String, Object>> history, Path lastCheckpoint,
                          Path exportDir, boolean refModelBuilt) {
    /** Metrics of the last step (empty when no step ran). */
    public Map<String, Object> finalMetrics() {
        return history.isEmpty() ? Map.of() : history.get(history.size() - 1);
    }
}
