package io.zerorl.reward.bench;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.code.CodeReward;
import io.zerorl.reward.code.PythonSandbox;
import io.zerorl.reward.math.SymjaCas;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reward throughput on synthetic completions (no files needed):
 * {@code ./zerorl rewards bench} or
 * {@code java -cp "target/classes:target/lib/*" io.zerorl.reward.bench.RewardBenchmark [seconds]}.
 * Prints math-accuracy completions/s (numeric answers, one thread), symbolic answers that need the CAS,
 * code programs/s through the sandbox with one worker per core, and the rewards outside the JVM
 * ({@link ExternalBench}: a Python program over JSON Lines, an HTTP endpoint on the loopback address).
 */
public final class RewardBenchmark {
    private RewardBenchmark() {}

    public static void main(String[] args) {
        double secs = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        PrintWriter out = new PrintWriter(System.out, true);
        run(secs, out);
        System.exit(0); // Symja leaves non-daemon threads behind
    }

    public static void run(double seconds, PrintWriter out) {
        RewardRegistry reg = RewardRegistry.builtins();
        Random rnd = new Random(7);
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf("reward benchmark (%d cores, %.0f s per measurement)%n", cores, seconds);

        RewardFunction math = reg.create("math_accuracy", Map.of());
        String filler = "Let's think step by step. First, we compute the total number of apples: 3 + 4 = 7. "
                + "Then each basket holds 7 apples, so 7 * 12 = 84. Finally we subtract the 9 rotten ones.\n";
        List<RewardInput> numeric = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int gold = rnd.nextInt(100_000);
            String pred = switch (i % 4) {
                case 0 -> "\\boxed{" + gold + "}";
                case 1 -> "#### " + String.format("%,d", gold + (i % 8 == 1 ? 1 : 0));
                case 2 -> "<answer>" + gold + ".0</answer>";
                default -> "The answer is $" + (gold + 1) + "$.";
            };
            numeric.add(new RewardInput("q", filler.repeat(3) + pred, Map.of("answer", "work\n#### " + gold)));
        }
        double r1 = measure(seconds, () -> math.score(numeric).size());
        out.printf("math_accuracy, numeric answers:  %,.0f completions/s (1 thread)%n", r1);

        SymjaCas.warmUp();
        String[][] sym = {{"\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"}, {"2\\sqrt{2}", "\\sqrt{8}"}, {"x^2+2x+1", "(x+1)^2"},
            {"\\frac{\\pi}{2}", "0.5\\pi"}, {"3\\sqrt{5}", "\\sqrt{45}"}, {"\\frac{1}{\\sqrt{3}}", "\\frac{\\sqrt{3}}{3}"}};
        List<RewardInput> symbolic = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String[] p = sym[i % sym.length];
            symbolic.add(new RewardInput("q", filler + "\\boxed{" + p[1] + "}", Map.of("answer", p[0])));
        }
        double r2 = measure(seconds, () -> math.score(symbolic).size());
        out.printf("math_accuracy, symbolic (CAS):   %,.0f completions/s (1 thread)%n", r2);

        CodeReward code = (CodeReward) reg.create("code", Map.of());
        List<RewardInput> programs = new ArrayList<>();
        for (int i = 0; i < 4 * cores; i++) {
            String body = i % 2 == 0 ? "    return a + b" : "    return a - b";
            programs.add(new RewardInput("", "```python\ndef add(a, b):\n" + body + "\n```",
                    Map.of("test_list", List.of("assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(10, 5) == 15"))));
        }
        code.score(programs.subList(0, 1)); // detect isolation once
        double r3 = measure(seconds, () -> code.score(programs).size());
        out.printf("code (python sandbox):           %,.1f programs/s (%d workers; %s)%n", r3, code.sandbox().workers(),
                PythonSandbox.isolation().describe());
        code.close();
        math.close();
        ExternalBench.run(seconds, filler, out);
    }

    static double measure(double seconds, java.util.function.IntSupplier batch) {
        batch.getAsInt(); // warm-up
        long t0 = System.nanoTime();
        long n = 0;
        long limit = (long) (seconds * 1e9);
        while (System.nanoTime() - t0 < limit) {
            n += batch.getAsInt();
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
