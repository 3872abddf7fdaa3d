package io.zerorl.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluation reports, all written atomically: {@code <out>/<benchmark>/problems.jsonl} (one line per problem:
 * id, prompt, gold, correct count and every sample with its text, voting key, score, verifier details),
 * {@code <out>/<benchmark>/summary.json}, and across benchmarks {@code <out>/summary.json} (settings + every
 * benchmark's summary) and {@code <out>/summary.md} (a table). Metrics are fractions in JSON and percentages
 * in Markdown; a standard error that is undefined (one problem) is JSON null.
 */
public final class Reports {
    private Reports() {}

    public static void writeBenchmark(EvalResult.BenchmarkResult r, Path out) {
        Path dir = out.resolve(r.benchmark());
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "problems.jsonl.", ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (EvalResult.ProblemRecord p : r.problems()) {
                    w.write(Json.MAPPER.writeValueAsString(problem(p)));
                    w.write('\n');
                }
            }
            Files2.moveAtomically(tmp, dir.resolve("problems.jsonl"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a problem record", e);
        } catch (IOException e) {
            throw new ZerorlException("Cannot write reports to " + dir + ": " + e.getMessage(), e);
        }
        Json.write(dir.resolve("summary.json"), summary(r), true);
    }

    public static void writeSummary(EvalResult result, Path out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("settings", result.settings());
        m.put("benchmarks", result.benchmarks().stream().map(Reports::summary).toList());
        Json.write(out.resolve("summary.json"), m, true);
        Files2.writeAtomically(out.resolve("summary.md"), markdown(result).getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> problem(EvalResult.ProblemRecord p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("prompt", p.prompt());
        m.put("gold", p.gold());
        m.put("correct", p.correct());
        m.put("n", p.samples().size());
        m.put("samples", p.samples().stream().map(s -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("text", s.text());
            x.put("answer", s.answer());
            x.put("score", s.score());
            x.put("correct", s.correct());
            x.put("tokens", s.tokens());
            x.put("finish_reason", s.finishReason());
            x.put("details", s.details());
            return x;
        }).toList());
        return m;
    }

    /** One benchmark's numbers, in a stable key order (comparable run to run with a diff). */
    public static Map<String, Object> summary(EvalResult.BenchmarkResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmark", r.benchmark());
        m.put("template", r.template());
        m.put("verifier", r.reward());
        m.put("n", r.n());
        m.put("k", r.ks());
        m.put("problems", r.problemCount());
        m.put("pass@1", estimate(r.passAt1()));
        r.passAtK().forEach((k, e) -> {
            if (k != 1) {
                m.put("pass@" + k, estimate(e));
            }
        });
        r.majAtK().forEach((k, e) -> m.put("maj@" + k, estimate(e)));
        m.put("unscored_samples", r.unscored());
        m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        return m;
    }

    private static Map<String, Object> estimate(Metrics.Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", e.mean());
        m.put("stderr", Double.isNaN(e.stderr()) ? null : e.stderr());
        return m;
    }

    /** {@code | benchmark | n | pass@1 | pass@k... | maj@k... | problems | time |}, metrics as "mean ± stderr" in %. */
    public static String markdown(EvalResult result) {
        StringBuilder sb = new StringBuilder();
        Object src = result.settings().get("source");
        sb.append("Evaluation of ").append(src == null ? "?" : src).append(": ");
        sb.append(settingsLine(result.settings())).append("\n\n");
        List<Integer> ks = result.benchmarks().isEmpty() ? List.of(1) : result.benchmarks().get(0).ks();
        sb.append("| benchmark | n | pass@1 (%)");
        ks.stream().filter(k -> k != 1).forEach(k -> sb.append(" | pass@").append(k).append(" (%)"));
        ks.forEach(k -> sb.append(" | maj@").append(k).append(" (%)"));
        sb.append(" | problems | time |\n|---|---:|---:");
        ks.stream().filter(k -> k != 1).forEach(k -> sb.append("|---:"));
        ks.forEach(k -> sb.append("|---:"));
        sb.append("|---:|---:|\n");
        for (EvalResult.BenchmarkResult r : result.benchmarks()) {
            sb.append("| ").append(r.benchmark()).append(" | ").append(r.n()).append(" | ").append(pct(r.passAt1()));
            r.passAtK().forEach((k, e) -> {
                if (k != 1) {
                    sb.append(" | ").append(pct(e));
                }
            });
            r.majAtK().forEach((k, e) -> sb.append(" | ").append(pct(e)));
            sb.append(" | ").append(r.problemCount()).append(" | ").append(time(r.seconds())).append(" |\n");
        }
        return sb.toString();
    }

    private static String settingsLine(Map<String, Object> s) {
        StringBuilder sb = new StringBuilder();
        for (String k : List.of("template", "n", "k", "temperature", "top_p", "top_k", "max_new_tokens", "seed", "limit")) {
            if (s.containsKey(k)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(s.get(k));
            }
        }
        return sb.toString();
    }

    static String pct(Metrics.Estimate e) {
        String m = String.format(Locale.ROOT, "%.1f", 100 * e.mean());
        return Double.isNaN(e.stderr()) ? m : m + " ± " + String.format(Locale.ROOT, "%.1f", 100 * e.stderr());
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
