package io.zerorl.rollout;

/**
 * One sampled completion.
 *
 * @param promptIndex index of its prompt in the request
 * @param sampleIndex index within the prompt's group (0..n-1)
 * @param promptIds   the prompt's token ids (unpadded)
 * @param tokenIds    generated ids, including the EOS or stop token that ended it
 * @param logprobs    per generated token, log-softmax of logits / temperature (TRL's convention)
 * @param text        decoded completion (special tokens skipped), cut before a matched stop string
 */
public record Completion(int promptIndex, int sampleIndex, int[] promptIds, int[] tokenIds, float[] logprobs,
                         String text, FinishReason finishReason) {
    public int length() {
        return tokenIds.length;
    }

    public boolean truncated() {
        return finishReason == FinishReason.LENGTH;
    }
}
