package io.zerorl.rollout;

/** Turns generated ids into text (special tokens skipped); a tokenizer's decode, kept narrow for tests. */
@FunctionalInterface
public interface TokenDecoder {
    String decode(int[] ids);
}
