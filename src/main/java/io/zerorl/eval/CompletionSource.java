package io.zerorl.eval;

import io.zerorl.data.Problem;
import io.zerorl.data.PromptTemplate;
import io.zerorl.rollout.SamplingParams;

import java.util.List;

/**
 * Where an evaluation's completions come from: given rendered prompts and sampling settings, exactly
 * {@code params.n()} completions per prompt, in sample order. The real one is {@link PolicyGenerator};
 * {@link ReferenceSource} answers with the gold solution (or a wrong one) to check the harness itself.
 * Everything after this step (answer extraction, verifiers, metrics, reports) is shared by all sources.
 */
public interface CompletionSource {
    /** One prompt to complete: the exact text the model is conditioned on, and the problem it came from. */
    record Request(Problem problem, String prompt) {}

    /**
     * One completion.
     *
     * @param tokens       generated token count, or -1 when the source does not count tokens
     * @param finishReason {@code eos}, {@code stop}, {@code length}, or null when not applicable
     */
    record Sample(String text, int tokens, String finishReason) {
        public static Sample of(String text) {
            return new Sample(text, -1, null);
        }
    }

    /** {@code params.n()} samples for each request, outer list in request order. */
    List<List<Sample>> generate(List<Request> requests, SamplingParams params);

    /**
     * How many batches this source wants at once: a cluster samples each batch as its own task, in parallel. The
     * batches and their seeds are the same whatever this is, so results do not depend on it.
     */
    default int batchesAtOnce() {
        return 1;
    }

    /** Several batches, each as {@link #generate} would answer it (the default asks for them one by one). */
    default List<List<List<Sample>>> generateBatches(List<List<Request>> batches, List<SamplingParams> params) {
        List<List<List<Sample>>> out = new java.util.ArrayList<>(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            out.add(generate(batches.get(i), params.get(i)));
        }
        return out;
    }

    /** The model's chat template for the {@code chat} prompt template, or null when the source has none. */
    default PromptTemplate.ChatFormatter chatFormatter() {
        return null;
    }

    /** A short label for reports (the model folder, or {@code oracle}). */
    String describe();
}
