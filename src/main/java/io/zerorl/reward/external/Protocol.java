package io.zerorl.reward.external;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.Score;
import io.zerorl.util.Json;

import java.util.List;
import java.util.Map;

/**
 * What external rewards send and accept (see rewards/README.md, "Custom rewards without a build").
 *
 * <p>A request is one JSON object per completion: the dataset row's fields, then {@code prompt},
 * {@code completion} and {@code completion_tokens} (null when unknown); a row field with one of these names (or
 * {@code _batch}) and another value is sent as {@code row_<name>} (HumanEval rows have a {@code prompt} of their
 * own). An answer is {@code {"score": <number or null>, "details": {...}}} ({@code details} optional; null means
 * "not applicable"); the HTTP endpoint may also answer a bare number or null per row.
 */
public final class Protocol {
    /** Longest answer line read; a longer one is malformed output. */
    static final int MAX_LINE_CHARS = 8 << 20;
    /** Request keys of zerorl's own; a row field of one of these names is sent as {@code row_<name>} when it differs. */
    static final java.util.Set<String> RESERVED = java.util.Set.of("prompt", "completion", "completion_tokens", "_batch");
    /** Strict: {@code {"score": 1}{"score": 2}} on one line is malformed, not the first object. */
    static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Protocol() {}

    /** An answer that breaks the protocol; the message says how. */
    static final class BadAnswer extends Exception {
        BadAnswer(String message) {
            super(message);
        }
    }

    /** The request object of one completion. */
    public static ObjectNode request(RewardInput in) {
        ObjectNode own = Json.MAPPER.createObjectNode();
        own.put("prompt", in.prompt());
        own.put("completion", in.completion());
        if (in.completionTokens() >= 0) {
            own.put("completion_tokens", in.completionTokens());
        } else {
            own.putNull("completion_tokens");
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, Object> e : in.fields().entrySet()) {
            JsonNode v = Json.MAPPER.valueToTree(e.getValue());
            if (!RESERVED.contains(e.getKey())) {
                o.set(e.getKey(), v);
            } else if (!v.equals(own.get(e.getKey()))) { // the same value twice is sent once
                o.set("row_" + e.getKey(), v);
            }
        }
        o.setAll(own);
        return o;
    }

    /** One JSON Lines request: {@link #request} plus {@code "_batch": {"index": i, "size": n}}. */
    static String requestLine(RewardInput in, int index, int size) {
        ObjectNode o = request(in);
        o.putObject("_batch").put("index", index).put("size", size);
        try {
            return Json.MAPPER.writeValueAsString(o); // one line: JSON escapes every newline inside strings
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a reward request", e);
        }
    }

    /** Parses one answer line. */
    static Score parseLine(String line) throws BadAnswer {
        JsonNode node;
        try {
            node = READER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadAnswer("is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new BadAnswer("is not a JSON object with a \"score\"");
        }
        return answer(node, false);
    }

    /** An answer object, or (when {@code bare} is allowed) a number or null. */
    @SuppressWarnings("unchecked")
    static Score answer(JsonNode node, boolean bare) throws BadAnswer {
        if (bare && (node.isNumber() || node.isNull())) {
            return score(node, Map.of());
        }
        if (!node.isObject() || !node.has("score")) {
            throw new BadAnswer("has no \"score\" (expected {\"score\": <number or null>, \"details\": {...}})");
        }
        JsonNode d = node.get("details");
        if (d != null && !d.isNull() && !d.isObject()) {
            throw new BadAnswer("has \"details\" that are not a JSON object: " + d);
        }
        Map<String, Object> details = d == null || d.isNull() ? Map.of() : Json.MAPPER.convertValue(d, Map.class);
        return score(node.get("score"), details);
    }

    private static Score score(JsonNode s, Map<String, Object> details) throws BadAnswer {
        if (s.isNull()) {
            return new Score(null, details);
        }
        if (!s.isNumber() || !Double.isFinite(s.doubleValue())) {
            throw new BadAnswer("has a \"score\" that is not a number or null: " + s);
        }
        return new Score(s.doubleValue(), details);
    }

    /** A "not applicable" score standing for a failed row (on_error: null), with the error in the details. */
    static Score failed(String message) {
        return new Score(null, Map.of("reason", "reward failed (on_error: null)", "error", message));
    }

    /** {@code row 3 of 16 (completion "The answer is...")}: how error messages name a row. */
    static String row(List<RewardInput> batch, int i) {
        return "row " + i + " of the batch of " + batch.size() + " (completion " + quote(batch.get(i).completion(), 60) + ")";
    }

    /** A short, single-line, quoted excerpt of a text for messages. */
    static String quote(String s, int max) {
        String t = s.length() > max ? s.substring(0, max) + "..." : s;
        return "\"" + t.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\"", "\\\"") + "\"";
    }
}
