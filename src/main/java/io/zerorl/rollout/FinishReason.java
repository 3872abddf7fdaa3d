package io.zerorl.rollout;

/** Why a completion ended: an EOS/stop token, a stop string, or {@code max_new_tokens}. */
public enum FinishReason {
    EOS, STOP, LENGTH;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
