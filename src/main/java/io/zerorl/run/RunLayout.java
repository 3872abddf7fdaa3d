package io.zerorl.run;

import java.nio.file.Path;

/**
 * What a run directory ({@code output_dir} of a recipe) holds, and where:
 * <pre>
 *   metrics.jsonl       one line per step (and a step-0 baseline line when evaluation runs before training)
 *   samples.jsonl       logged completions with their rewards
 *   recipe.yaml         the resolved recipe
 *   checkpoints/        step-NNNNNN/ training checkpoints (see train.RunCheckpoints)
 *   export/             the Hugging Face export at the end
 *   eval/               reports of the evaluations during training (step_NNNNNN/)
 *   data/               generated training rows (the quickstart)
 *   eval_before.json    held-out evaluation before / after training (the quickstart)
 *   eval_after.json
 *   quickstart.json     the quickstart's result
 *   report/             charts and report.html
 * </pre>
 */
public record RunLayout(Path dir) {
    public static final String METRICS = "metrics.jsonl";
    public static final String SAMPLES = "samples.jsonl";
    public static final String RECIPE = "recipe.yaml";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String EXPORT = "export";
    public static final String EVAL = "eval";
    public static final String DATA = "data";
    public static final String EVAL_BEFORE = "eval_before.json";
    public static final String EVAL_AFTER = "eval_after.json";
    public static final String QUICKSTART = "quickstart.json";
    public static final String REPORT = "report";

    public static RunLayout of(Path dir) {
        return new RunLayout(dir);
    }

    /**
     * The run a checkpoint directory ({@code <run>/checkpoints/step-NNNNNN}) belongs to, or null when the directory
     * does not sit in a run's {@code checkpoints/} folder.
     */
    public static RunLayout ofCheckpoint(Path checkpointDir) {
        Path abs = checkpointDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || parent.getFileName() == null || !parent.getFileName().toString().equals(CHECKPOINTS)
                || parent.getParent() == null) {
            return null;
        }
        return new RunLayout(parent.getParent());
    }

    public Path metrics() {
        return dir.resolve(METRICS);
    }

    public Path samples() {
        return dir.resolve(SAMPLES);
    }

    public Path recipe() {
        return dir.resolve(RECIPE);
    }

    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    public Path export() {
        return dir.resolve(EXPORT);
    }

    public Path eval() {
        return dir.resolve(EVAL);
    }

    public Path data() {
        return dir.resolve(DATA);
    }

    public Path evalBefore() {
        return dir.resolve(EVAL_BEFORE);
    }

    public Path evalAfter() {
        return dir.resolve(EVAL_AFTER);
    }

    public Path quickstart() {
        return dir.resolve(QUICKSTART);
    }

    public Path report() {
        return dir.resolve(REPORT);
    }
}
