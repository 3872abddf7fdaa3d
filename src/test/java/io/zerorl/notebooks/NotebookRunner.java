package io.zerorl.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.util.Json;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Executes a Jupyter notebook's Java code cells in order in one {@link JShell} (what a Java kernel such as
 * IJava/JJava does), with the given class path, and fails on the first rejected snippet, compile error,
 * unresolved reference or exception. Optionally writes a copy of the notebook with the cells' outputs.
 * Used by {@code NotebooksTest} and by {@code notebooks/run.sh}.
 */
public final class NotebookRunner {
    /** A cell that failed: which one (1-based among all cells), its source, and why. */
    public static final class CellFailure extends RuntimeException {
        public CellFailure(Path notebook, int cell, String source, String why, String output) {
            super(notebook.getFileName() + ", cell " + cell + ": " + why + "\n--- cell source ---\n" + source
                    + (output.isBlank() ? "" : "\n--- output so far ---\n" + output));
        }
    }

    /** What ran: number of code cells and snippets, and the executed notebook (with outputs). */
    public record Result(int codeCells, int snippets, ObjectNode executed) {}

    private final String classPath;
    private final List<String> vmOptions;
    private final long timeoutSeconds;

    /**
     * @param classPath      what the notebook code compiles and runs against (the project and its dependencies)
     * @param vmOptions      options of the JVM that runs the code (system properties, heap)
     * @param timeoutSeconds wall-clock limit for the whole notebook
     */
    public NotebookRunner(String classPath, List<String> vmOptions, long timeoutSeconds) {
        this.classPath = classPath;
        this.vmOptions = List.copyOf(vmOptions);
        this.timeoutSeconds = timeoutSeconds;
    }

    public Result run(Path notebook) throws IOException {
        ObjectNode nb = (ObjectNode) Json.readTree(notebook);
        JsonNode cells = nb.path("cells");
        if (!cells.isArray()) {
            throw new IllegalArgumentException(notebook + " is not a Jupyter notebook (no \"cells\" array)");
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(capturedErr, true, StandardCharsets.UTF_8);
        List<String> remote = new ArrayList<>(vmOptions);
        remote.add("-Dfile.encoding=UTF-8");
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "notebook-watchdog");
            t.setDaemon(true);
            return t;
        });
        int codeCells = 0;
        int snippets = 0;
        try (JShell shell = JShell.builder().out(out).err(err)
                .remoteVMOptions(remote.toArray(String[]::new)).build()) {
            for (String entry : classPath.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    shell.addToClasspath(entry);
                }
            }
            watchdog.schedule(() -> {
                timedOut.set(true);
                shell.stop();
            }, timeoutSeconds, TimeUnit.SECONDS);
            SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
            for (int c = 0; c < cells.size(); c++) {
                ObjectNode cell = (ObjectNode) cells.get(c);
                if (!"code".equals(cell.path("cell_type").asText())) {
                    continue;
                }
                codeCells++;
                String source = source(cell.path("source"));
                String lastValue = null;
                String remaining = source;
                while (!remaining.isBlank()) {
                    SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                    String snippet;
                    switch (info.completeness()) {
                        case EMPTY -> {
                            remaining = "";
                            continue;
                        }
                        case COMPLETE, COMPLETE_WITH_SEMI, UNKNOWN -> {
                            snippet = info.source();
                            remaining = info.remaining();
                        }
                        // at the end of a cell, as jshell does at the end of input: evaluate what is there
                        case CONSIDERED_INCOMPLETE, DEFINITELY_INCOMPLETE -> {
                            snippet = remaining;
                            remaining = "";
                        }
                        default -> throw new IllegalStateException(info.completeness().toString());
                    }
                    snippets++;
                    List<SnippetEvent> events = shell.eval(snippet);
                    for (SnippetEvent e : events) {
                        if (e.causeSnippet() != null) {
                            continue; // an update of an earlier snippet, not this evaluation
                        }
                        String why = problem(shell, e);
                        if (timedOut.get()) {
                            why = "timed out after " + timeoutSeconds + " s";
                        }
                        if (why != null) {
                            throw new CellFailure(notebook, c + 1, source, why, captured.toString(StandardCharsets.UTF_8)
                                    + capturedErr.toString(StandardCharsets.UTF_8));
                        }
                        lastValue = e.value() != null && isValueSnippet(e.snippet()) ? e.value() : null;
                    }
                }
                cell.put("execution_count", codeCells);
                ArrayNode outputs = cell.putArray("outputs");
                stream(outputs, "stderr", capturedErr);
                stream(outputs, "stdout", captured);
                if (lastValue != null) {
                    ObjectNode result = outputs.addObject();
                    result.put("output_type", "execute_result");
                    result.put("execution_count", codeCells);
                    result.putObject("data").set("text/plain", lines(lastValue));
                    result.putObject("metadata");
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        return new Result(codeCells, snippets, nb);
    }

    private static void stream(ArrayNode outputs, String name, ByteArrayOutputStream captured) {
        String text = captured.toString(StandardCharsets.UTF_8);
        captured.reset();
        if (!text.isEmpty()) {
            ObjectNode stream = outputs.addObject();
            stream.put("output_type", "stream");
            stream.put("name", name);
            stream.set("text", lines(text));
        }
    }

    /**
     * Classes the notebook declares it needs ({@code metadata.zerorl.requires_classes}) that this JVM's class
     * path lacks: such a notebook is skipped, not failed (e.g. one written for a package not merged yet).
     */
    public static List<String> missingClasses(Path notebook) {
        JsonNode req = Json.readTree(notebook).path("metadata").path("zerorl").path("requires_classes");
        List<String> missing = new ArrayList<>();
        req.forEach(n -> {
            try {
                Class.forName(n.asText(), false, NotebookRunner.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(n.asText());
            }
        });
        return missing;
    }

    /** Expressions and variables show their value like a kernel's {@code Out[n]}; declarations do not. */
    private static boolean isValueSnippet(Snippet s) {
        return s.kind() == Snippet.Kind.EXPRESSION
                || (s.kind() == Snippet.Kind.VAR && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    private static String problem(JShell shell, SnippetEvent e) {
        Snippet s = e.snippet();
        List<Diag> errors = shell.diagnostics(s).filter(Diag::isError).toList();
        if (e.status() == Snippet.Status.REJECTED || !errors.isEmpty()) {
            String diag = errors.stream()
                    .map(d -> "  " + d.getMessage(Locale.ROOT) + " (at: " + excerpt(s.source(), d) + ")")
                    .collect(Collectors.joining("\n"));
            return "snippet rejected:\n" + (diag.isEmpty() ? "  (no diagnostic)" : diag);
        }
        if (e.status() == Snippet.Status.RECOVERABLE_DEFINED || e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
            String unresolved = s instanceof DeclarationSnippet d
                    ? shell.unresolvedDependencies(d).collect(Collectors.joining(", ")) : "?";
            return "unresolved references: " + unresolved;
        }
        JShellException ex = e.exception();
        if (ex != null) {
            String name = ex instanceof EvalException ee ? ee.getExceptionClassName()
                    : ex instanceof UnresolvedReferenceException ? "UnresolvedReferenceException" : ex.getClass().getName();
            StringBuilder b = new StringBuilder("exception ").append(name).append(": ").append(ex.getMessage());
            for (StackTraceElement el : ex.getStackTrace()) {
                b.append("\n  at ").append(el);
            }
            Throwable cause = ex.getCause();
            while (cause != null) {
                b.append("\ncaused by ").append(cause instanceof EvalException ce ? ce.getExceptionClassName() : cause.getClass().getName())
                        .append(": ").append(cause.getMessage());
                cause = cause.getCause();
            }
            return b.toString();
        }
        return null;
    }

    private static String excerpt(String src, Diag d) {
        int from = (int) Math.max(0, d.getStartPosition());
        int to = (int) Math.min(src.length(), Math.max(from, d.getEndPosition()));
        String s = src.substring(from, to).strip();
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    static String source(JsonNode n) {
        if (n.isArray()) {
            StringBuilder b = new StringBuilder();
            n.forEach(l -> b.append(l.asText()));
            return b.toString();
        }
        return n.asText("");
    }

    /** Jupyter stores multi-line text as a list of lines that keep their newline. */
    private static ArrayNode lines(String text) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                a.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            a.add(text.substring(start));
        }
        return a;
    }

    /**
     * Command line: {@code NotebookRunner [--out DIR] [--timeout S] NOTEBOOK...}; the class path of this JVM is
     * the notebooks' class path; system properties {@code -Dzerorl.*} are passed on to the notebook JVM.
     */
    public static void main(String[] args) throws IOException {
        Path outDir = null;
        long timeout = 600;
        List<Path> notebooks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> outDir = Path.of(args[++i]);
                case "--timeout" -> timeout = Long.parseLong(args[++i]);
                default -> notebooks.add(Path.of(args[i]));
            }
        }
        if (notebooks.isEmpty()) {
            System.err.println("usage: NotebookRunner [--out DIR] [--timeout SECONDS] NOTEBOOK.ipynb...");
            System.exit(2);
        }
        NotebookRunner runner = new NotebookRunner(System.getProperty("java.class.path"), forwardedOptions(), timeout);
        int failed = 0;
        for (Path nb : notebooks) {
            long t0 = System.nanoTime();
            List<String> missing = missingClasses(nb);
            if (!missing.isEmpty()) {
                System.out.println("skip  " + nb + " (needs " + String.join(", ", missing) + ", not on the class path)");
                continue;
            }
            try {
                Result r = runner.run(nb);
                System.out.printf(Locale.ROOT, "ok    %s (%d code cells, %d snippets, %.1f s)%n", nb, r.codeCells(), r.snippets(),
                        (System.nanoTime() - t0) / 1e9);
                if (outDir != null) {
                    Path copy = outDir.resolve(nb.getFileName());
                    Files.createDirectories(outDir);
                    Json.write(copy, r.executed(), true);
                    System.out.println("      executed copy: " + copy);
                }
            } catch (CellFailure e) {
                failed++;
                System.out.println("FAIL  " + e.getMessage());
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** {@code -Dzerorl.*} and {@code -Dai.djl.*} system properties of this JVM, for the notebook JVM. */
    public static List<String> forwardedOptions() {
        List<String> opts = new ArrayList<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("zerorl.") || k.startsWith("ai.djl.")) {
                opts.add("-D" + k + "=" + System.getProperty(k));
            }
        }
        opts.add("-Xmx2g");
        return opts;
    }
}
