package io.zerorl.data;

/** Turns a question into the exact text the model is conditioned on. */
@FunctionalInterface
public interface PromptTemplate {
    String render(String question);

    /**
     * Renders one user turn (with an optional system message, null for the model's default) through the
     * model's chat template, ending with the assistant generation prompt. The tokenizer package supplies it
     * (e.g. {@code (sys, user) -> tokenizer.applyChatTemplate(..., true)}); data does not depend on it.
     */
    @FunctionalInterface
    interface ChatFormatter {
        String format(String system, String user);
    }
}
