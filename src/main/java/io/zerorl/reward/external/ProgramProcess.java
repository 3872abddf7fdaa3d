package io.zerorl.reward.external;

import io.zerorl.util.ZerorlException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One running reward program: requests go to its stdin from a writer thread, its stdout is read line by line into
 * a queue by a reader thread, and its stderr is passed on line by line to the log (the last lines are kept for
 * error messages). Because neither pipe is ever read or written by the scoring thread, a program that stops
 * reading or writing cannot block it: the scoring thread only waits on the queue, with a deadline. Every started
 * program is known to {@link Reaper}, which kills what is left at JVM exit.
 */
final class ProgramProcess {
    /** One item from the program's stdout. */
    record Line(String text, Kind kind) {
        enum Kind { TEXT, END, OVERLONG }
    }

    private static final int STDERR_TAIL = 20;

    private final Process process;
    private final String label;
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final ExecutorService writer;
    private final BufferedWriter stdin;
    private final Thread stderrPump;

    private ProgramProcess(Process process, String label, Consumer<String> log) {
        this.process = process;
        this.label = label;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, label + " stdin"));
        daemon(() -> readLines(process.getInputStream()), label + " stdout").start();
        this.stderrPump = daemon(() -> pumpStderr(process.getErrorStream(), log), label + " stderr");
        stderrPump.start();
    }

    /** Starts {@code command} in {@code workdir}; {@code label} prefixes its stderr lines in the log. */
    static ProgramProcess start(List<String> command, Path workdir, String label, Consumer<String> log) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile());
        pb.environment().put("PYTHONUNBUFFERED", "1"); // Python answers at once even when it forgets to flush
        pb.environment().put("PYTHONIOENCODING", "utf-8"); // the pipes carry UTF-8 whatever the locale
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ZerorlException(label + ": cannot start " + String.join(" ", command) + " in " + workdir + ": "
                    + e.getMessage());
        }
        ProgramProcess pp = new ProgramProcess(p, label, log);
        Reaper.register(pp);
        return pp;
    }

    long pid() {
        return process.pid();
    }

    /** Writes the lines and flushes, on the writer thread; a program that died makes this a no-op. */
    void send(List<String> requestLines) {
        writer.execute(() -> {
            try {
                for (String l : requestLines) {
                    stdin.write(l);
                    stdin.write('\n');
                }
                stdin.flush();
            } catch (IOException e) {
                // the program closed its stdin or died: its stdout ends, and the reader reports that
            }
        });
    }

    /** The next stdout item, or null when none came within {@code timeoutMs}. */
    Line next(long timeoutMs) throws InterruptedException {
        return lines.poll(Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
    }

    /** A line already written that nobody asked for yet (null when none). */
    Line pending() {
        return lines.peek();
    }

    /** The last lines the program wrote to stderr, or "" when none. */
    String stderrTail() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : "; its last stderr lines:\n    " + String.join("\n    ", stderrTail);
        }
    }

    /**
     * After its stdout ended: "exited with status N", or that it closed stdout but still runs. Waits a moment for
     * the exit and for the rest of its stderr, so that the message can show its last words (a traceback).
     */
    String endDescription() {
        try {
            boolean exited = process.waitFor(2, TimeUnit.SECONDS);
            stderrPump.join(1000);
            if (exited) {
                return "exited with status " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "closed its standard output";
    }

    /** Closes stdin (a well-behaved program exits at end of input), waits up to {@code graceMs}, then kills. */
    void close(long graceMs) {
        List<ProcessHandle> tree = process.descendants().toList();
        writer.execute(() -> {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
        });
        try {
            process.waitFor(graceMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill(tree);
    }

    /** Kills the program and every process it started, at once. */
    void kill() {
        kill(process.descendants().toList());
    }

    private void kill(List<ProcessHandle> descendants) {
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        writer.shutdownNow();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reaper.unregister(this);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private void readLines(InputStream out) {
        StringBuilder sb = new StringBuilder();
        boolean overlong = false;
        try (Reader r = new InputStreamReader(out, StandardCharsets.UTF_8)) {
            char[] buf = new char[8192];
            int n;
            while ((n = r.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                        lines.add(overlong ? new Line("", Line.Kind.OVERLONG) : new Line(stripCr(sb), Line.Kind.TEXT));
                        sb.setLength(0);
                        overlong = false;
                    } else if (sb.length() < Protocol.MAX_LINE_CHARS) {
                        sb.append(c);
                    } else {
                        overlong = true;
                    }
                }
            }
        } catch (IOException e) {
            // killed: the end marker below tells the waiting thread
        }
        lines.add(new Line(sb.toString(), Line.Kind.END));
    }

    private static String stripCr(StringBuilder sb) {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
    }

    private void pumpStderr(InputStream err, Consumer<String> log) {
        try (var r = new java.io.BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_TAIL) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(l.length() > 500 ? l.substring(0, 500) + "..." : l);
                }
                log.accept("[" + label + "] " + l);
            }
        } catch (IOException e) {
            // killed
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
