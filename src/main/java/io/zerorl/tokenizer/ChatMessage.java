package io.zerorl.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One chat turn as HF chat templates see it: a dict with {@code role}, {@code content} and optional
 * extra keys (e.g. {@code tool_calls}, {@code name}) that some templates read.
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** The dict handed to the template; extra keys first so role/content cannot be overridden. */
    Map<String, Object> toTemplateMap() {
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
