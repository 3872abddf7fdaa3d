package io.zerorl.data;

import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Prompt templates by name: {@code r1}, {@code plain}, {@code chat}; more via {@link #register}. */
public final class PromptTemplates {
    /**
     * The DeepSeek-R1-Zero template, verbatim from the DeepSeek-R1 paper (Table 1), with "prompt" replaced by
     * the question. Used for base models: the model continues after "Assistant:".
     */
    public static final String R1_ZERO = "A conversation between User and Assistant. The user asks a question, and the"
            + " Assistant solves it. The assistant first thinks about the reasoning process in the mind and then"
            + " provides the user with the answer. The reasoning process and answer are enclosed within <think> </think>"
            + " and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think>"
            + " <answer> answer here </answer>. User: {question}. Assistant:";

    /** A template factory: given the caller's chat formatter (may be null when no tokenizer is at hand). */
    private static final Map<String, Function<PromptTemplate.ChatFormatter, PromptTemplate>> TEMPLATES = new TreeMap<>();

    static {
        register("r1", chat -> q -> R1_ZERO.replace("{question}", q));
        register("plain", chat -> q -> q);
        register("chat", chat -> {
            if (chat == null) {
                throw new ZerorlException("prompt template 'chat' needs the model's tokenizer (chat template);"
                        + " use the r1 or plain prompt template for models without one");
            }
            return q -> chat.format(null, q);
        });
    }

    private PromptTemplates() {}

    public static synchronized void register(String name, Function<PromptTemplate.ChatFormatter, PromptTemplate> factory) {
        if (TEMPLATES.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("prompt template '" + name + "' is already registered");
        }
    }

    public static synchronized PromptTemplate get(String name, PromptTemplate.ChatFormatter chat) {
        var f = TEMPLATES.get(name);
        if (f == null) {
            throw new ZerorlException("unknown prompt template '" + name + "'; did you mean '"
                    + Names.nearest(name, TEMPLATES.keySet()) + "'? Known: " + TEMPLATES.keySet());
        }
        return f.apply(chat);
    }

    public static synchronized List<String> names() {
        return List.copyOf(TEMPLATES.keySet());
    }
}
