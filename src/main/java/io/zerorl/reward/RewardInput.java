package io.zerorl.reward;

import java.util.Map;
import java.util.Objects;

/**
 * One completion to score: the prompt it answered, the completion text, and the dataset row's fields
 * (e.g. {@code answer}, {@code test_list}, {@code test}/{@code entry_point}, {@code nums}/{@code target}).
 *
 * @param completionTokens length of the completion in tokens as the trainer counted it, or -1 when unknown
 *                         (length-based rewards then fall back to a text measure)
 */
public record RewardInput(String prompt, String completion, Map<String, Object> fields, int completionTokens) {
    public RewardInput {
        prompt = prompt == null ? "" : prompt;
        completion = completion == null ? "" : completion;
        fields = fields == null ? Map.of() : fields;
    }

    public RewardInput(String prompt, String completion, Map<String, Object> fields) {
        this(prompt, completion, fields, -1);
    }

    public static RewardInput of(String completion, Map<String, Object> fields) {
        return new RewardInput("", completion, fields, -1);
    }

    /** The field as a string ({@code null} when absent); numbers and lists are rendered with {@code toString}. */
    public String field(String name) {
        Object v = fields.get(name);
        return v == null ? null : v instanceof String s ? s : Objects.toString(v);
    }
}
