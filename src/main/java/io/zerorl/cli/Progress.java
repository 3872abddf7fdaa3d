package io.zerorl.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Progress of long work (pretraining steps, GRPO steps, evaluated problems, generated prompts). On a terminal it
 * is a live bar: task, count/total, elapsed time and ETA, and a short message such as the loss. Anywhere else
 * (CI, tests, a pipe, a log file) it prints the plain lines the commands always printed, with no carriage returns,
 * because a bar redrawn with {@code \r} turns a log file into one long unreadable line. {@code --no-progress} or
 * {@code ZERORL_NO_PROGRESS=1} asks for the plain lines on a terminal too.
 *
 * <p>The bar appears on the first {@link #update}, so work that turns out to be unnecessary (a cached model) draws
 * none. Open it in try-with-resources: closing ends the bar's line, so what follows, an error message included,
 * starts on a clean line. Only this package knows the bar library; the training and evaluation code report
 * progress through their own listeners.
 */
final class Progress implements AutoCloseable {
    /** Environment variable that turns live bars off (any value but empty, 0 or false). */
    static final String NO_PROGRESS_ENV = "ZERORL_NO_PROGRESS";

    private static volatile boolean plainOnly;

    private final String task;
    private final long total;
    private final long start;
    private final Consumer<String> lines;
    private final Screen screen; // null: plain lines
    private final long openedAt = System.nanoTime();
    private ProgressBar bar;

    private Progress(String task, long total, long start, Consumer<String> lines, Screen screen) {
        this.task = task;
        this.total = total;
        this.start = start;
        this.lines = lines;
        this.screen = screen;
    }

    /**
     * A live bar when {@link #live()}, else plain lines.
     *
     * @param total the count at which the work is done (steps, problems, prompts)
     * @param start the count already done (a resumed run)
     * @param lines where plain lines and {@link #log} lines go, e.g. {@code System.out::println}
     */
    static Progress open(String task, long total, long start, Consumer<String> lines) {
        return open(task, total, start, lines, live());
    }

    static Progress open(String task, long total, long start, Consumer<String> lines, boolean live) {
        // System.console() vouches for stdout, so the bar is drawn there, even when the lines go to stderr
        return live ? onTerminal(task, total, start, lines, System.out, 0) : plain(task, total, start, lines);
    }

    /** Plain lines only. */
    static Progress plain(String task, long total, long start, Consumer<String> lines) {
        return new Progress(task, total, start, lines, null);
    }

    /** A live bar drawn on {@code terminal}; {@code width} <= 0 asks the terminal for its width (tests fix it). */
    static Progress onTerminal(String task, long total, long start, Consumer<String> lines, PrintStream terminal, int width) {
        return new Progress(task, total, start, lines, new Screen(terminal, width));
    }

    /**
     * Whether live bars are wanted: stdout is a terminal (on JDK 17 {@code System.console()} is null when stdin
     * or stdout is redirected) and neither {@code --no-progress} nor {@value #NO_PROGRESS_ENV} says otherwise.
     */
    static boolean live() {
        String env = System.getenv(NO_PROGRESS_ENV);
        boolean envOff = env != null && !env.isBlank() && !env.strip().equals("0") && !env.strip().equalsIgnoreCase("false");
        return !plainOnly && !envOff && System.console() != null;
    }

    /** {@code --no-progress}: set by {@link Main} for each run. */
    static void plainOnly(boolean on) {
        plainOnly = on;
    }

    boolean isLive() {
        return screen != null;
    }

    /**
     * The work has reached {@code done}. A live bar moves there and shows {@code extra} (null: nothing); plain
     * mode prints {@code line} instead (null: nothing, e.g. a step between two logged ones).
     */
    void update(long done, String extra, String line) {
        if (screen == null) {
            if (line != null) {
                lines.accept(line);
            }
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    // the clock starts when the work did, not at the first report
                    .startsFrom(start, Duration.ofNanos(System.nanoTime() - openedAt))
                    .setStyle(ProgressBarStyle.ASCII).continuousUpdate().setUpdateIntervalMillis(1000)
                    .setEtaFunction(Progress::eta).setConsumer(screen).build();
        }
        bar.setExtraMessage(extra == null ? "" : extra);
        bar.stepTo(done);
    }

    /** A line to keep (a result, a file written): printed in both modes, above a live bar. */
    void log(String line) {
        if (bar == null) {
            lines.accept(line);
            return;
        }
        synchronized (screen) {
            screen.clear();
            lines.accept(line);
        }
        bar.refresh();
    }

    /** Linear in the time since the work started (the library's own estimate counts from the bar's creation). */
    private static Optional<Duration> eta(ProgressState s) {
        long done = s.getCurrent() - s.getStart();
        if (s.isIndefinite() || s.getMax() <= 0 || done <= 0) {
            return Optional.empty();
        }
        return Optional.of(s.getTotalElapsed().multipliedBy(Math.max(0, s.getMax() - s.getCurrent())).dividedBy(done));
    }

    /** Ends the bar's line (its last state stays visible); nothing to do for plain lines. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            screen.close(); // the library skips its own close when the bar is closed before its first redraw
        }
    }

    /**
     * The terminal line the bar lives on. Drawing and {@link Progress#log} lines are serialised here, because the
     * library redraws from its own thread; every draw is flushed, as {@code System.out} only flushes at newlines.
     */
    private static final class Screen implements ProgressBarConsumer {
        private final PrintStream out;
        private final ConsoleProgressBarConsumer console;
        private boolean drawn;
        private boolean closed;

        Screen(PrintStream out, int width) {
            this.out = out;
            this.console = width > 0 ? new ConsoleProgressBarConsumer(out, width) : new ConsoleProgressBarConsumer(out);
        }

        @Override
        public int getMaxRenderedLength() {
            return console.getMaxRenderedLength();
        }

        @Override
        public synchronized void accept(String rendered) {
            if (!closed) {
                console.accept(rendered);
                out.flush();
                drawn = true;
            }
        }

        @Override
        public synchronized void clear() {
            if (drawn && !closed) {
                out.print("\r" + " ".repeat(getMaxRenderedLength()) + "\r");
                out.flush();
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                if (drawn) {
                    out.println();
                    out.flush();
                }
            }
        }
    }
}
