package io.zerorl.report;

import io.zerorl.report.Charts.Chart;
import io.zerorl.run.RunLayout;
import io.zerorl.util.Files2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's report: one PNG per chart and {@code report.html}, which embeds the same PNGs as data URIs
 * so that the page alone can be mailed or attached. Entry point shared by the CLI, tests and notebooks.
 */
public final class RunReport {
    public static final String HTML = "report.html";

    /** What was written. */
    public record Result(Path html, List<Path> charts, List<String> missingCharts, RunData run) {}

    private RunReport() {}

    /** {@code RUN_DIR/report}, where the report goes unless told otherwise. */
    public static Path defaultOutput(Path runDir) {
        return RunLayout.of(runDir).report();
    }

    /**
     * @param samplesPerPhase how many completions to show from the first and from the last logged step
     */
    public static Result write(Path runDir, Path outDir, int samplesPerPhase) {
        RunData run = RunData.read(runDir);
        List<Chart> charts = Charts.plan(run);
        Map<String, byte[]> pngs = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Chart c : charts) {
            if (!c.drawable()) {
                missing.add(c.name() + ": " + c.note());
                continue;
            }
            byte[] png = Charts.png(c);
            pngs.put(c.name(), png);
            Path file = outDir.resolve(c.file());
            write(file, png);
            files.add(file);
        }
        String generated = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String html = HtmlReport.render(run, charts, pngs, samplesPerPhase, generated);
        Path htmlFile = outDir.resolve(HTML);
        write(htmlFile, html.getBytes(StandardCharsets.UTF_8));
        return new Result(htmlFile, List.copyOf(files), List.copyOf(missing), run);
    }

    /** Atomic write, then rw-r--r--: a report is meant to be shared (the temp file it came from is private). */
    private static void write(Path file, byte[] bytes) {
        Files2.writeAtomically(file, bytes);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: keep what the platform gave
        }
    }
}
