package io.zerorl.reward.code;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code code}: 1 when the completion's code passes the row's tests in the {@link PythonSandbox}, else 0.
 * Code: the last fenced block ({@code ```python ... ```}, any or no language tag); without a fence the
 * completion after {@code </think>} (a base model continuing a HumanEval prompt), unless {@code require_fence}.
 * Tests: HumanEval rows ({@code test} defining {@code check}, {@code entry_point}, and {@code prompt}, the
 * signature, which is prepended as openai/human-eval does; a full re-definition of the function simply
 * overrides the stub) or MBPP rows ({@code test_list} asserts, after {@code test_setup_code} or
 * {@code test_imports}; {@code challenge_test_list} too with {@code include_challenge}).
 * The whole batch runs on the sandbox's worker pool. Options: {@code timeout_ms} (wall, default 10000),
 * {@code cpu_seconds} (default 10), {@code memory_mb} (default 1024), {@code output_kb} (default 64),
 * {@code workers} (default: CPU cores), {@code require_fence} (false), {@code include_challenge} (false).
 */
public final class CodeReward implements RewardFunction {
    private static final Pattern FENCE = Pattern.compile("```[ \\t]*[\\w+#.-]*[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);
    private final String name;
    private final PythonSandbox sandbox;
    private final boolean requireFence;
    private final boolean includeChallenge;

    public CodeReward(String name, RewardOptions o) {
        this.name = name;
        PythonSandbox.Limits d = PythonSandbox.Limits.defaults();
        PythonSandbox.Limits limits = new PythonSandbox.Limits(
                o.getInt("timeout_ms", (int) d.wallMs(), 100, 600_000),
                o.getInt("cpu_seconds", d.cpuSeconds(), 1, 3600),
                o.getInt("memory_mb", (int) (d.memoryBytes() >> 20), 64, 1 << 20) * (1L << 20),
                o.getInt("output_kb", d.outputBytes() / 1024, 1, 1 << 20) * 1024,
                d.fileBytes(), d.maxOpenFiles(), d.maxProcesses());
        int workers = o.getInt("workers", Runtime.getRuntime().availableProcessors(), 1, 1024);
        this.requireFence = o.getBoolean("require_fence", false);
        this.includeChallenge = o.getBoolean("include_challenge", false);
        this.sandbox = new PythonSandbox(limits, workers);
    }

    @Override
    public String name() {
        return name;
    }

    public PythonSandbox sandbox() {
        return sandbox;
    }

    /** Stops the sandbox's worker pool. */
    @Override
    public void close() {
        sandbox.close();
    }

    @Override
    public List<Score> score(List<RewardInput> batch) {
        Score[] out = new Score[batch.size()];
        List<String> programs = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            RewardInput in = batch.get(i);
            String tests = tests(in);
            if (tests == null) {
                out[i] = Score.notApplicable("row has neither test/entry_point (HumanEval) nor test_list (MBPP)");
                continue;
            }
            String code = extractCode(in.completion(), requireFence);
            if (code == null || code.isBlank()) {
                out[i] = Score.of(0.0, "status", "no_code");
                continue;
            }
            programs.add(program(in, code, tests));
            at.add(i);
        }
        List<PythonSandbox.Result> results = sandbox.runAll(programs);
        for (int k = 0; k < results.size(); k++) {
            PythonSandbox.Result r = results.get(k);
            out[at.get(k)] = Score.of(r.passed() ? 1.0 : 0.0, "status", r.status().name().toLowerCase(),
                    "exit_code", r.exitCode(), "wall_ms", r.wallMs(), "output", r.outputTail(500));
        }
        return List.of(out);
    }

    /** The last fenced code block; without one, the text after {@code </think>} (null if a fence is required). */
    public static String extractCode(String completion, boolean requireFence) {
        Matcher m = FENCE.matcher(completion);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last != null) {
            return last;
        }
        int open = completion.lastIndexOf("```");
        if (open >= 0) { // an unclosed fence (the completion was cut off): take what follows it
            int nl = completion.indexOf('\n', open);
            return nl < 0 ? null : completion.substring(nl + 1);
        }
        if (requireFence) {
            return null;
        }
        int think = completion.lastIndexOf("</think>");
        return think >= 0 ? completion.substring(think + "</think>".length()) : completion;
    }

    private String tests(RewardInput in) {
        String test = in.field("test");
        String entry = in.field("entry_point");
        if (test != null && entry != null) {
            return test + "\n\ncheck(" + entry + ")\n";
        }
        Object list = in.fields().get("test_list");
        if (list instanceof Collection<?> c && !c.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            String setup = in.field("test_setup_code");
            if (setup != null && !setup.isBlank()) {
                sb.append(setup).append('\n');
            }
            if (in.fields().get("test_imports") instanceof Collection<?> imps) {
                imps.forEach(x -> sb.append(x).append('\n'));
            }
            c.forEach(x -> sb.append(x).append('\n'));
            if (includeChallenge && in.fields().get("challenge_test_list") instanceof Collection<?> ch) {
                ch.forEach(x -> sb.append(x).append('\n'));
            }
            return sb.toString();
        }
        return null;
    }

    private static String program(RewardInput in, String code, String tests) {
        String head = in.field("entry_point") != null && in.field("prompt") != null ? in.field("prompt") : "";
        boolean continuation = !code.isEmpty() && (code.charAt(0) == ' ' || code.charAt(0) == '\t');
        String sep = head.isEmpty() || (continuation && head.endsWith("\n")) ? "" : "\n";
        return head + sep + code + "\n\n" + tests;
    }
}
