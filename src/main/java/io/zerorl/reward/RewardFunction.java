package io.zerorl.reward;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule-based reward: strings in, floats out (no DJL). The trainer calls {@link #score} once per batch
 * (typically the G completions of one prompt, or several groups), so implementations that do slow work
 * (running code, computer algebra) should parallelise across the batch. Must return exactly one
 * {@link Score} per input, in order, and must not throw on any model output: a malformed completion
 * scores 0 (with a detail saying why); a row lacking the fields the reward needs is "not applicable".
 * Implementations must be safe to call from several threads. A function that holds resources (a worker pool, a
 * process, a connection) releases them in {@link #close}; whoever creates a function closes it.
 */
public interface RewardFunction extends AutoCloseable {
    /** The name the function was registered under (used for metrics: {@code reward/<name>}). */
    String name();

    List<Score> score(List<RewardInput> batch);

    /** Releases what the function holds; nothing by default. Scoring after close is not allowed. */
    @Override
    default void close() {}

    /** Convenience for one completion. */
    default Score scoreOne(RewardInput input) {
        return score(List.of(input)).get(0);
    }

    /**
     * Base for rewards whose items are independent and cheap: implement {@link #scoreItem}; the batch
     * method maps it over the inputs and turns an unexpected exception into a 0 with the error as detail.
     */
    abstract class PerItem implements RewardFunction {
        private final String name;

        protected PerItem(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        protected abstract Score scoreItem(RewardInput input);

        @Override
        public List<Score> score(List<RewardInput> batch) {
            List<Score> out = new ArrayList<>(batch.size());
            for (RewardInput in : batch) {
                Score s;
                try {
                    s = scoreItem(in);
                } catch (RuntimeException e) {
                    s = Score.of(0.0, "error", e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                out.add(s);
            }
            return out;
        }
    }
}
