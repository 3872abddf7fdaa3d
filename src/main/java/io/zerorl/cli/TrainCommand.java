package io.zerorl.cli;

import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.recipe.RecipeValidator;
import io.zerorl.train.GrpoTrainer;
import io.zerorl.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code zerorl train RECIPE [--set k=v ...] [--resume]}. */
@Command(name = "train", description = "GRPO training from a recipe (recipes/<model>/grpo/<variant>.yaml).")
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Recipe YAML file.")
    Path recipe;

    @Option(names = "--set", description = "Override a recipe key, e.g. --set train.group_size=8 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest checkpoint in the run's output_dir.")
    boolean resume;

    @Override
    public Integer call() {
        Recipe r = RecipeLoader.load(recipe, overrides);
        RecipeValidator.validate(r);
        TrainEval.Prepared evalData = TrainEval.prepare(r); // benchmark files read and checked before the model loads
        TrainResult res;
        try (GrpoTrainer trainer = new GrpoTrainer(r, resume);
             EvalDuringTraining eval = TrainEval.attach(trainer, r, evalData, System.out::println)) {
            res = trainer.train((step, m) -> System.out.printf(
                    "step %d  reward %.4f  loss %.5f  grad_norm %.4f  kl %s  len %.1f  (%.1fs gen, %.1fs train)%s%n", step,
                    (Double) m.get("reward"), (Double) m.get("loss"), (Double) m.get("grad_norm"), m.get("kl"),
                    (Double) m.get("completions/mean_length"), (Double) m.get("time/generate_s"),
                    (Double) m.get("time/train_s"), TrainEval.summary(m)));
        }
        System.out.println("run directory: " + res.runDir());
        if (res.exportDir() != null) {
            System.out.println("export: " + res.exportDir());
        }
        return 0;
    }
}
