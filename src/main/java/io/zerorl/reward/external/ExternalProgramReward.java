package io.zerorl.reward.external;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code external}: a reward program in any language, started once and kept running, spoken to in JSON Lines over
 * its stdin and stdout (see {@link Protocol} and rewards/README.md). The rows of a batch go out in request batches
 * of up to {@code batch_size} lines, written together and flushed; the program answers each line with one line, in
 * order. Its stderr goes to the log.
 *
 * <p>Failures (the program exits, gives no answer within {@code timeout_ms}, writes something that is not an
 * answer, or more lines than requests) stop the program. With {@code on_error: fail} (the default) scoring then
 * throws an error naming the program, the row and what happened; with {@code on_error: null} the row scores
 * "not applicable" (the error in its details, and a warning in the log) and the rest of the batch goes to a
 * restarted program; after {@value #MAX_FAILURES} failures in one batch the rows left are not sent. The next batch
 * starts the program again. {@link #close} and JVM exit ({@link Reaper}) stop it and what it started.
 */
public final class ExternalProgramReward implements RewardFunction {
    static final int MAX_FAILURES = 3;
    private static final long CLOSE_GRACE_MS = 2000;

    private final String name;
    private final List<String> command;
    private final Path workdir;
    private final long timeoutMs;
    private final int batchSize;
    private final boolean failOnError;
    private final String label;
    private final Consumer<String> log;
    private ProgramProcess process;
    private boolean closed;

    public ExternalProgramReward(String name, RewardOptions options) {
        this(name, options, System.err::println);
    }

    ExternalProgramReward(String name, RewardOptions options, Consumer<String> log) {
        this.name = ExternalOptions.id(options, name);
        this.workdir = ExternalOptions.workdir(options);
        this.command = ExternalOptions.command(options, workdir);
        this.timeoutMs = options.getInt("timeout_ms", 30_000, 1, Integer.MAX_VALUE);
        this.batchSize = options.getInt("batch_size", 64, 1, 100_000);
        this.failOnError = ExternalOptions.failOnError(options);
        this.label = "external reward '" + this.name + "' (" + String.join(" ", command) + ")";
        this.log = log;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * What failed: rows [from, to) get no score from this attempt (an empty range: nothing was sent, the rows are
     * tried again on a restarted program); the message names the program and the row.
     */
    private record Failure(int from, int to, String message) {}

    @Override
    public synchronized List<Score> score(List<RewardInput> batch) {
        if (closed) {
            throw new IllegalStateException(label + " is closed");
        }
        Score[] out = new Score[batch.size()];
        int failures = 0;
        int start = 0;
        while (start < batch.size()) {
            int end = Math.min(batch.size(), start + batchSize);
            Failure f = exchange(batch, start, end, out);
            if (f == null) {
                start = end;
                continue;
            }
            stop();
            if (failOnError) {
                throw new ZerorlException(f.message() + ". The program was stopped; fix it, raise timeout_ms if it is"
                        + " slow, or set on_error: null to score such rows as not applicable");
            }
            log.accept("[" + label + "] warning: " + f.message() + "; scored as not applicable (on_error: null),"
                    + " program restarted");
            Arrays.fill(out, f.from(), f.to(), Protocol.failed(f.message()));
            start = f.to();
            if (++failures == MAX_FAILURES && start < batch.size()) {
                Arrays.fill(out, start, batch.size(), Protocol.failed("not sent: the program failed " + MAX_FAILURES
                        + " times in this batch (last: " + f.message() + ")"));
                break;
            }
        }
        return List.of(out);
    }

    /** Sends rows [from, to) and reads their answers into {@code out}; null when all came back well. */
    private Failure exchange(List<RewardInput> batch, int from, int to, Score[] out) {
        if (process == null) {
            process = ProgramProcess.start(command, workdir, label, log);
        }
        ProgramProcess.Line stray = process.pending();
        if (stray != null && stray.kind() != ProgramProcess.Line.Kind.END) { // late extra lines of the last exchange
            return new Failure(from, from, label + " wrote more lines than it was sent requests: before "
                    + Protocol.row(batch, from) + " was sent it wrote " + Protocol.quote(stray.text(), 200)
                    + ", so the answers it gave last may not be the ones they were taken for");
        }
        List<String> lines = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            lines.add(Protocol.requestLine(batch.get(i), i - from, to - from));
        }
        process.send(lines);
        for (int i = from; i < to; i++) {
            Failure f = readAnswer(batch, i, from, to, out);
            if (f != null) {
                return f;
            }
        }
        ProgramProcess.Line extra = process.pending();
        if (extra != null && extra.kind() != ProgramProcess.Line.Kind.END) {
            return new Failure(from, to, label + " wrote more lines than it was sent requests: after its answer to "
                    + Protocol.row(batch, to - 1) + " came " + Protocol.quote(extra.text(), 200)
                    + ", so the answers to rows " + from + "-" + (to - 1) + " cannot be trusted");
        }
        return null;
    }

    private Failure readAnswer(List<RewardInput> batch, int i, int from, int to, Score[] out) {
        ProgramProcess.Line line;
        try {
            line = process.next(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new ZerorlException(label + ": interrupted while waiting for its answer to " + Protocol.row(batch, i));
        }
        String got = "after answering " + (i - from) + " of the " + (to - from) + " rows sent";
        if (line == null) {
            return new Failure(i, i + 1, label + " gave no answer to " + Protocol.row(batch, i) + " within timeout_ms="
                    + timeoutMs + " (" + got + ")" + process.stderrTail());
        }
        if (line.kind() == ProgramProcess.Line.Kind.END) {
            return new Failure(i, i + 1, label + " " + process.endDescription() + " " + got + ": "
                    + Protocol.row(batch, i) + " got no answer" + process.stderrTail());
        }
        if (line.kind() == ProgramProcess.Line.Kind.OVERLONG) {
            return new Failure(i, i + 1, label + ": its answer to " + Protocol.row(batch, i) + " is longer than "
                    + Protocol.MAX_LINE_CHARS + " characters");
        }
        try {
            out[i] = Protocol.parseLine(line.text());
            return null;
        } catch (Protocol.BadAnswer e) {
            return new Failure(i, i + 1, label + ": its answer to " + Protocol.row(batch, i) + " " + e.getMessage()
                    + ": " + Protocol.quote(line.text(), 200) + " (write only answer lines to stdout, logs to stderr)");
        }
    }

    /** The running program's process id, or -1 when none runs (tests). */
    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    private void stop() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    /** Closes the program's stdin, gives it a moment to exit, then kills it and everything it started. */
    @Override
    public synchronized void close() {
        closed = true;
        if (process != null) {
            process.close(CLOSE_GRACE_MS);
            process = null;
        }
    }
}
