package io.zerorl.data;

import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Named ways to turn a row into the question text that a prompt template wraps. {@code field} takes
 * {@code question_field} as is; code and puzzle tasks need the signature/tests or the numbers spelled out.
 */
public final class QuestionBuilders {
    /** (row, question_field) -> question text. */
    public interface Builder extends BiFunction<DatasetRow, String, String> {}

    private static final Map<String, Builder> BUILDERS = new TreeMap<>();

    static {
        register("field", DatasetRow::getString);
        // HumanEval: the prompt is the signature + docstring the completion must continue.
        register("humaneval", (row, field) -> "Complete the following Python function:\n\n```python\n"
                + row.getString(field) + "```");
        // MBPP: the description alone does not fix the function name; the first assert does (Austin et al. 2021).
        register("mbpp", (row, field) -> row.getString(field) + "\nYour code should pass this test:\n"
                + row.getStringList("test_list").get(0)
                + "\nWrite the complete Python function in a ```python code block.");
        // Countdown: TinyZero's wording (verl/examples/data_preprocess/countdown.py), numbers from "a,b,c".
        register("countdown", (row, field) -> {
            List<String> nums = List.of(row.getString("input").split("\\s*,\\s*"));
            return "Using the numbers " + nums + ", create an equation that equals " + row.getText("output")
                    + ". You can use basic arithmetic operations (+, -, *, /) and each number can only be used once."
                    + " Show your final equation in <answer> </answer> tags, for example <answer> (1 + 2) / 3 </answer>.";
        });
    }

    private QuestionBuilders() {}

    public static synchronized void register(String name, Builder builder) {
        if (BUILDERS.putIfAbsent(name, builder) != null) {
            throw new IllegalArgumentException("question builder '" + name + "' is already registered");
        }
    }

    public static synchronized Builder get(String name) {
        Builder b = BUILDERS.get(name);
        if (b == null) {
            throw new ZerorlException("unknown question_builder '" + name + "'; did you mean '"
                    + Names.nearest(name, BUILDERS.keySet()) + "'? Known: " + BUILDERS.keySet());
        }
        return b;
    }

    public static synchronized List<String> names() {
        return List.copyOf(BUILDERS.keySet());
    }
}
