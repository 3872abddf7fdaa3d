package io.zerorl.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The traces file of distillation: JSON Lines, one kept teacher completion per line. What a student needs is the
 * question (re-rendered with the student's own template) or the prompt as chat {@code messages}, and the
 * {@code completion}; the rest records where it came from: {@code prompt} (the text the teacher saw), {@code reward}
 * and {@code rewards} (per function), {@code teacher}, {@code sampling}, {@code prompt_index}. Files made elsewhere
 * (another model, a service) are read the same way; see datasets/README.md.
 */
public final class Traces {
    /** One trace; {@code messages} (role, content) is null when {@code question} is given. */
    public record Trace(String question, List<ChatMessage> messages, String completion, int line) {}

    private Traces() {}

    /** The JSON line of a trace phase 1 keeps. */
    static String line(String question, String prompt, String completion, double reward, Map<String, Double> rewards,
                       String teacher, Map<String, Object> sampling, long promptIndex) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("question", question);
        o.put("prompt", prompt);
        o.put("completion", completion);
        o.put("reward", reward);
        o.set("rewards", Json.MAPPER.valueToTree(rewards));
        o.put("teacher", teacher);
        o.set("sampling", Json.MAPPER.valueToTree(sampling));
        o.put("prompt_index", promptIndex);
        return o.toString();
    }

    /**
     * Reads and checks every line: a missing or empty {@code completion}, no {@code question} nor {@code messages},
     * or a line that is not a JSON object is an error naming the file and the line.
     */
    public static List<Trace> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ZerorlException("traces file " + file + " does not exist: run `zerorl distill RECIPE --phase traces`"
                    + " first, or set distill.traces to a traces JSONL (see datasets/README.md)");
        }
        List<Trace> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String s;
            int n = 0;
            while ((s = r.readLine()) != null) {
                n++;
                if (s.isBlank()) {
                    continue;
                }
                out.add(parse(file, n, s));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read traces file " + file, e);
        }
        if (out.isEmpty()) {
            throw new ZerorlException("traces file " + file + " holds no trace");
        }
        return out;
    }

    private static Trace parse(Path file, int n, String s) {
        String where = file + " line " + n;
        JsonNode j;
        try {
            j = Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new ZerorlException(where + ": malformed JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (j == null || !j.isObject()) {
            throw new ZerorlException(where + ": a trace is a JSON object with question (or messages) and completion");
        }
        JsonNode c = j.get("completion");
        if (c == null || !c.isTextual()) {
            throw new ZerorlException(where + ": missing field 'completion' (the teacher's answer, a string)");
        }
        if (c.asText().isBlank()) {
            throw new ZerorlException(where + ": empty completion: a trace must teach something; drop the line");
        }
        JsonNode q = j.get("question");
        JsonNode m = j.get("messages");
        if (q != null && q.isTextual() && !q.asText().isBlank()) {
            return new Trace(q.asText(), null, c.asText(), n);
        }
        if (m != null && m.isArray() && !m.isEmpty()) {
            List<ChatMessage> msgs = new ArrayList<>();
            for (JsonNode x : m) {
                if (!x.path("role").isTextual() || !x.path("content").isTextual()) {
                    throw new ZerorlException(where + ": each of 'messages' needs a role and a content (strings)");
                }
                msgs.add(new ChatMessage(x.get("role").asText(), x.get("content").asText(), Map.of()));
            }
            return new Trace(null, msgs, c.asText(), n);
        }
        throw new ZerorlException(where + ": missing field 'question' (the prompt before any template) or 'messages'"
                + " (the prompt as chat messages)");
    }
}
