package io.zerorl.cli;

import io.zerorl.report.RunReport;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code zerorl report RUN_DIR}: charts and one self-contained HTML page from a training run directory. */
@Command(name = "report", mixinStandardHelpOptions = true, description = {
        "Write an HTML report (charts embedded, no external assets) and PNG charts from a training run directory.",
        "Reads RUN_DIR/metrics.jsonl (required), samples.jsonl, recipe.yaml, eval_before.json, eval_after.json."},
        footer = {"", "Examples:", "  ./zerorl report runs/quickstart",
                "  ./zerorl report runs/qwen2-tiny-toy --output /tmp/toy-report --samples 8"})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "The training run directory (holds metrics.jsonl).")
    Path runDir;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Where to write report.html and the PNGs (default: RUN_DIR/report).")
    Path output;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "4",
            description = "Completions shown from the first and from the last logged step (default ${DEFAULT-VALUE}).")
    int samples;

    @Override
    public Integer call() {
        if (samples < 0) {
            throw new ZerorlException("--samples must be >= 0, got " + samples);
        }
        Path out = output != null ? output : RunReport.defaultOutput(runDir);
        RunReport.Result r = RunReport.write(runDir, out, samples);
        PrintStream o = System.out;
        o.println("report: " + r.html().toAbsolutePath().normalize());
        o.println("charts: " + r.charts().size() + " PNG in " + out.toAbsolutePath().normalize());
        r.missingCharts().forEach(m -> o.println("  not drawn: " + m));
        r.run().warnings().forEach(w -> o.println("warning: " + w));
        return 0;
    }
}
