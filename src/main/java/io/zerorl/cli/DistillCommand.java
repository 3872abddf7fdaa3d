package io.zerorl.cli;

import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.train.DistillTraces;
import io.zerorl.train.SftTrainer;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code zerorl distill RECIPE}: a teacher's verified traces teach a student (DeepSeek-R1's distillation). */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = {"Distillation in two phases, each resumable and able to run alone:",
            "  traces: the teacher (distill.teacher) samples distill.samples_per_prompt completions per training prompt,",
            "          the recipe's rewards verify them and rejection keeps the passing ones (distill.min_reward, at most",
            "          distill.keep_per_prompt per prompt, duplicates dropped, distill.max_completion_tokens) in a traces",
            "          JSONL (distill.traces, default output_dir/traces.jsonl);",
            "  sft:    the student (model.path) is fine-tuned on the traces, re-tokenized with its own tokenizer and",
            "          template: next-token loss on completion tokens only, AdamW, checkpoints, the export at the end."},
        footer = {"", "Examples:",
            "  ./zerorl distill recipes/qwen2-tiny/distill/toy.yaml",
            "  ./zerorl distill recipes/qwen2-tiny/distill/toy.yaml --phase sft --resume",
            "  # a traces file made elsewhere (see datasets/README.md)",
            "  ./zerorl distill RECIPE --phase sft --set distill.traces=my-traces.jsonl"})
public final class DistillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RECIPE", description = "Recipe YAML file (recipes/<model>/distill/...).")
    Path recipe;

    @Option(names = "--phase", defaultValue = "all", description = "traces, sft, or all (default ${DEFAULT-VALUE}: the"
            + " traces unless their file exists, then sft).")
    String phase;

    @Option(names = "--resume", description = "sft: continue from the newest checkpoint (traces always continue an"
            + " interrupted file).")
    boolean resume;

    @Option(names = "--set", description = "Override a recipe key, e.g. --set distill.min_reward=0.5 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--threads", description = "PyTorch CPU threads (default: $ZERORL_THREADS, else 1).")
    Integer threads;

    @Override
    public Integer call() {
        if (!List.of("all", "traces", "sft").contains(phase)) {
            throw new ZerorlException("--phase must be traces, sft or all, got '" + phase + "'");
        }
        Threads.configure(threads);
        Recipe r = RecipeLoader.load(recipe, overrides);
        Path traces = DistillTraces.tracesFile(r);
        if (phase.equals("traces") || (phase.equals("all") && !Files.exists(traces))) {
            long t0 = System.nanoTime();
            DistillTraces.Result res = DistillTraces.run(r, System.out::println);
            System.out.printf(java.util.Locale.ROOT, "traces: %d prompts, %d completions, %d kept (%.1f%%) in %.1f s -> %s%n",
                    res.prompts(), res.sampled(), res.kept(), 100.0 * res.kept() / res.sampled(),
                    (System.nanoTime() - t0) / 1e9, res.traces());
        } else if (phase.equals("all")) {
            System.out.println("traces: using " + traces + " (delete it to sample again)");
        }
        if (phase.equals("sft") || phase.equals("all")) {
            long t0 = System.nanoTime();
            TrainEval.Prepared evalData = TrainEval.prepare(r); // benchmark files checked before the student loads
            try (SftTrainer sft = new SftTrainer(r, traces, resume, System.out::println);
                 EvalDuringTraining eval = TrainEval.attach(sft.policy(), sft.tokenizer(), sft::withEvalHook, r, evalData,
                         System.out::println)) {
                System.out.println("sft: " + sft.traces() + " traces, " + sft.steps() + " steps");
                Map<String, Object> last = sft.train(System.out::println);
                String evalSummary = TrainEval.summary(last);
                if (!evalSummary.isEmpty()) {
                    System.out.println("sft: step " + sft.step() + evalSummary);
                }
                Path out = r.export().atEnd() ? sft.export(last) : null;
                System.out.printf(java.util.Locale.ROOT, "sft: done in %.1f s%s%n", (System.nanoTime() - t0) / 1e9,
                        out == null ? "" : "; export: " + out);
            }
        }
        return 0;
    }
}
