package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.reward.bench.RewardBenchmark;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code zerorl rewards list|score|bench}: inspect and check reward functions from outside a training run. */
@Command(name = "rewards", mixinStandardHelpOptions = true,
        description = "List reward functions, score completions from a JSONL file, or benchmark them.",
        subcommands = {RewardsCommand.ListCmd.class, RewardsCommand.ScoreCmd.class, RewardsCommand.BenchCmd.class},
        footer = {"", "Examples:", "  ./zerorl rewards list",
            "  ./zerorl rewards score --reward math_accuracy \\",
            "      --input datasets/samples/completions.jsonl --output /tmp/scores.jsonl",
            "  ./zerorl rewards score --reward external --option command='python3 my_reward.py' \\",
            "      --input rows.jsonl --output scores.jsonl",
            "  ./zerorl rewards bench --seconds 1"})
public final class RewardsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print the registered reward names (built-ins and plug-ins) with a description.",
            footer = {"", "Examples:", "  ./zerorl rewards list"})
    static final class ListCmd implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            for (RewardRegistry.Entry e : RewardRegistry.standard().entries().values()) {
                out.printf("%-22s %-9s %s%n", e.name(), e.origin().startsWith("service") ? "plugin" : e.origin(), e.description());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Score each row of a JSONL file: rows hold 'completion' (and optionally 'prompt') plus the dataset"
                + " fields the reward needs; writes one line per row with 'score' (null = not applicable) and 'details'.",
            footer = {"", "Examples:",
                "  ./zerorl rewards score --reward math_accuracy \\",
                "      --input datasets/samples/completions.jsonl --output /tmp/scores.jsonl",
                "  ./zerorl rewards score --reward format --input runs/quickstart/samples.jsonl \\",
                "      --output /tmp/format-scores.jsonl",
                "  ./zerorl rewards score --reward code --option timeout_ms=3000 \\",
                "      --input rows.jsonl --output scores.jsonl",
                "  ./zerorl rewards score --reward rewards/examples/single-file/LengthTarget.java \\",
                "      --option target_tokens=16 --input rows.jsonl --output scores.jsonl",
                "  ./zerorl rewards score --reward external \\",
                "      --option 'command=[\"python3\", \"rewards/examples/python/answer_match.py\"]' \\",
                "      --input rows.jsonl --output scores.jsonl",
                "  ./zerorl rewards score --reward http --option url=http://127.0.0.1:8000/score \\",
                "      --input rows.jsonl --output scores.jsonl"})
    static final class ScoreCmd implements Callable<Integer> {
        @Option(names = "--reward", required = true, description = "Reward name, class name, Java source file"
                + " (path/to/MyReward.java, compiled on the fly), 'external' (--option command=...: a program in any"
                + " language) or 'http' (--option url=...).")
        String reward;

        @Option(names = "--input", required = true, description = "Rows (JSONL).")
        Path input;

        @Option(names = "--output", required = true, description = "Scores (JSONL), one line per input row.")
        Path output;

        @Option(names = "--option", description = "Reward option key=value (repeatable); values are parsed as JSON when possible.")
        Map<String, String> options = new LinkedHashMap<>();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() throws IOException {
            Map<String, Object> opts = new LinkedHashMap<>();
            options.forEach((k, v) -> opts.put(k, parseValue(v)));
            try (RewardFunction f = RewardRegistry.standard().create(reward, opts)) {
                List<RewardInput> rows = new ArrayList<>();
                if (!Files.isRegularFile(input)) {
                    throw new ZerorlException("Input file not found: " + input);
                }
                try (BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                    String line;
                    int n = 0;
                    while ((line = r.readLine()) != null) {
                        n++;
                        if (line.isBlank()) {
                            continue;
                        }
                        JsonNode node;
                        try {
                            node = Json.MAPPER.readTree(line);
                        } catch (IOException e) {
                            throw new ZerorlException("Malformed JSON in " + input + " line " + n + ": " + e.getMessage());
                        }
                        if (!node.isObject() || !node.hasNonNull("completion")) {
                            throw new ZerorlException(input + " line " + n + ": each row needs a string 'completion'");
                        }
                        Map<String, Object> fields = Json.MAPPER.convertValue(node, Map.class);
                        String prompt = node.hasNonNull("prompt") && !node.has("entry_point") ? node.get("prompt").asText() : "";
                        int tokens = node.hasNonNull("completion_tokens") ? node.get("completion_tokens").asInt() : -1;
                        rows.add(new RewardInput(prompt, node.get("completion").asText(), fields, tokens));
                    }
                }
                List<Score> scores = f.score(rows);
                int applicable = 0;
                double sum = 0;
                if (output.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(output.toAbsolutePath().getParent());
                }
                try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    for (Score s : scores) {
                        Map<String, Object> o = new LinkedHashMap<>();
                        o.put("score", s.value());
                        o.put("details", s.details());
                        w.write(Json.MAPPER.writeValueAsString(o));
                        w.write('\n');
                        if (s.applicable()) {
                            applicable++;
                            sum += s.value();
                        }
                    }
                }
                spec.commandLine().getOut().printf("%s: %d rows, %d applicable, mean %.4f -> %s%n", f.name(), rows.size(), applicable,
                        applicable == 0 ? Double.NaN : sum / applicable, output);
                spec.commandLine().getOut().flush();
            }
            return 0;
        }

        private static Object parseValue(String v) {
            try {
                return Json.MAPPER.readValue(v, Object.class);
            } catch (IOException e) {
                return v;
            }
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Measure throughput: math accuracy completions/s, code programs/s, and completions/s of an"
                + " external program (the Python example over JSON Lines) and of an HTTP endpoint on the loopback address.",
            footer = {"", "Examples:", "  ./zerorl rewards bench", "  ./zerorl rewards bench --seconds 1"})
    static final class BenchCmd implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "3", description = "Time per measurement (default ${DEFAULT-VALUE}).")
        double seconds;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            RewardBenchmark.run(seconds, spec.commandLine().getOut());
            return 0;
        }
    }
}
