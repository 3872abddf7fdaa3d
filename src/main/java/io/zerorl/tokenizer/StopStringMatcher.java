package io.zerorl.tokenizer;

import io.zerorl.util.ZerorlException;

import java.util.List;
import java.util.Optional;

/**
 * Finds stop strings in generated text. Works on decoded text rather than token ids because a stop string
 * such as {@code "</answer>"} is usually split over several tokens, and differently each time.
 */
public final class StopStringMatcher {
    private final List<String> stops;
    private final int maxLen;

    /** The earliest stop string found: where it starts, which one, and the text before it. */
    public record Match(int start, String stop, String truncated) {}

    public StopStringMatcher(List<String> stops) {
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw new ZerorlException("stop strings must be non-empty, got " + stops);
            }
        }
        this.stops = List.copyOf(stops);
        this.maxLen = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    public List<String> stops() {
        return stops;
    }

    /** The earliest match in {@code text} (ties: the longer stop string), if any. */
    public Optional<Match> find(String text) {
        return find(text, 0);
    }

    /**
     * As {@link #find(String)}, for text that was already searched up to {@code newTextStart}: only matches
     * that end after it can be new, so the scan starts {@code maxLen - 1} characters earlier. Called after each
     * decoded token, this keeps the cost per token proportional to the new text.
     */
    public Optional<Match> find(String text, int newTextStart) {
        int from = Math.max(0, newTextStart - maxLen + 1);
        int best = -1;
        String bestStop = null;
        for (String s : stops) {
            int i = text.indexOf(s, from);
            if (i >= 0 && (best < 0 || i < best || (i == best && s.length() > bestStop.length()))) {
                best = i;
                bestStop = s;
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(new Match(best, bestStop, text.substring(0, best)));
    }
}
