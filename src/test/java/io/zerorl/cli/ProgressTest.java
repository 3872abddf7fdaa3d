package io.zerorl.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CLI's progress helper, in both modes, without a real terminal (the live bar draws on a captured stream). */
class ProgressTest {
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final PrintStream terminal = new PrintStream(screen, true, StandardCharsets.UTF_8);

    private String drawn() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    /** The library draws from its own thread; wait for the first frame. */
    private void awaitFirstFrame() throws InterruptedException {
        for (int i = 0; i < 500 && drawn().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertThat(drawn()).isNotEmpty();
    }

    @Test
    void plainModePrintsTheLinesAndNothingElse() {
        try (Progress p = Progress.plain("train", 3, 0, lines::add)) {
            assertThat(p.isLive()).isFalse();
            p.update(1, "reward 0.5", "step 1  reward 0.5");
            p.update(2, "reward 0.6", null); // a step between two logged ones
            p.log("checkpoint written");
            p.update(3, "reward 0.7", "step 3  reward 0.7");
        }
        assertThat(lines).containsExactly("step 1  reward 0.5", "checkpoint written", "step 3  reward 0.7");
        assertThat(String.join("\n", lines)).doesNotContain("\r");
    }

    @Test
    void liveBarCountsStepsAndShowsTheExtraMessageInsteadOfTheLines() {
        try (Progress p = Progress.onTerminal("pretrain", 10, 0, lines::add, terminal, 100)) {
            assertThat(p.isLive()).isTrue();
            p.update(3, "loss 2.5000", "pretrain step 3/10  loss 2.5000");
            p.update(7, "loss 1.2500", "pretrain step 7/10  loss 1.2500");
        }
        String out = drawn();
        assertThat(out).contains("\r").contains("pretrain").contains("7/10").contains("loss 1.2500");
        assertThat(out).doesNotContain("pretrain step"); // the plain lines are for logs, not for the terminal
        assertThat(out).endsWith(System.lineSeparator()); // closing ends the bar's line
        assertThat(lines).isEmpty();
    }

    @Test
    void liveBarCountsFromTheResumedStep() {
        try (Progress p = Progress.onTerminal("train", 20, 15, lines::add, terminal, 100)) {
            p.update(16, null, null);
        }
        assertThat(drawn()).contains("16/20").doesNotContain("null");
    }

    @Test
    void logLinesGoAboveTheLiveBarOnACleanLine() throws InterruptedException {
        try (Progress p = Progress.onTerminal("pretrain", 10, 0, s -> terminal.println(s), terminal, 60)) {
            p.update(2, "loss 3.0", null);
            awaitFirstFrame();
            p.log("pretrained base model written to /tmp/x");
        }
        String out = drawn();
        // the bar's line is blanked (carriage return, spaces, carriage return) before the log line
        assertThat(out).contains("\r" + " ".repeat(60) + "\rpretrained base model written to /tmp/x" + System.lineSeparator());
        assertThat(out.indexOf("written")).isGreaterThan(out.indexOf("/10")); // a frame was drawn before the line
        assertThat(out).contains("2/10");
    }

    @Test
    void workThatNeverReportsDrawsNoBar() {
        try (Progress p = Progress.onTerminal("pretrain", 3000, 0, lines::add, terminal, 100)) {
            p.log("pretrained base model found in cache: /tmp/cache/tiny-moe");
        }
        assertThat(drawn()).isEmpty();
        assertThat(lines).containsExactly("pretrained base model found in cache: /tmp/cache/tiny-moe");
    }

    @Test
    void anExceptionClosesTheBarSoTheErrorStartsOnACleanLine() {
        assertThatThrownBy(() -> {
            try (Progress p = Progress.onTerminal("train", 10, 0, lines::add, terminal, 100)) {
                p.update(4, "reward 0.1", null);
                throw new IllegalStateException("boom");
            }
        }).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        String out = drawn();
        assertThat(out).contains("4/10").endsWith(System.lineSeparator());
        int before = out.length();
        try {
            Thread.sleep(1200); // longer than the redraw interval: a closed bar stays quiet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(drawn()).hasSize(before);
    }

    @Test
    void noProgressForcesPlainLines() {
        try {
            Progress.plainOnly(true);
            assertThat(Progress.live()).isFalse();
            assertThat(Progress.open("eval", 5, 0, lines::add).isLive()).isFalse();
        } finally {
            Progress.plainOnly(false);
        }
        // tests run without a console, so the default is plain lines too (CI logs stay free of carriage returns)
        assertThat(Progress.live()).isFalse();
    }
}
