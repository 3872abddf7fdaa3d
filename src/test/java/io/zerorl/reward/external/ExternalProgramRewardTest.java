package io.zerorl.reward.external;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.zerorl.reward.external.Programs.options;
import static io.zerorl.reward.external.Programs.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A reward program over JSON Lines: the shipped Python example, batching, and every failure ending clearly. */
@Timeout(120)
class ExternalProgramRewardTest {
    static final String EXAMPLE = "rewards/examples/python/answer_match.py";

    @TempDir
    Path tmp;

    final List<String> log = new CopyOnWriteArrayList<>();

    private ExternalProgramReward scripted(Object... more) {
        return new ExternalProgramReward("external", options(Programs.write(tmp, "scripted.py", Programs.SCRIPTED), more),
                log::add);
    }

    @Test
    void theShippedPythonExampleScoresInOrderAndStaysRunning() {
        try (RewardFunction f = RewardRegistry.standard().create("external",
                Map.of("command", List.of("python3", EXAMPLE), "batch_size", 16))) {
            List<Score> s = f.score(List.of(new RewardInput("q", "It is Apple.", Map.of("answer", "apple")),
                    new RewardInput("q", "ppl", Map.of("answer", "apple")), new RewardInput("q", "no gold", Map.of())));
            assertThat(s).extracting(Score::value).containsExactly(1.0, 0.5, null);
            assertThat(s.get(0).details()).containsEntry("matched", true);
            assertThat(s.get(2).details()).containsEntry("reason", "row has no 'answer'");
            long pid = ((ExternalProgramReward) f).pid();
            List<RewardInput> many = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                many.add(new RewardInput("q", "answer " + i, Map.of("answer", i % 3 == 0 ? "answer " + i : "zzz")));
            }
            List<Score> m = f.score(many); // 13 request batches of up to 16 lines, answered in order
            for (int i = 0; i < 200; i++) {
                assertThat(m.get(i).value()).as("row " + i).isEqualTo(i % 3 == 0 ? 1.0 : 0.0);
            }
            assertThat(((ExternalProgramReward) f).pid()).isEqualTo(pid); // started once, kept alive
        }
    }

    @Test
    void requestsCarryTheRowFieldsAndTheBatchFramingAndAProgramMayAnswerAWholeBatchAtOnce() {
        try (ExternalProgramReward f = new ExternalProgramReward("external",
                options(Programs.write(tmp, "batched.py", Programs.BATCHED), "batch_size", 5), log::add)) {
            List<Score> s = f.score(rows("a", "bb", "ccc", "dddd", "eeeee", "f", "gg"));
            assertThat(s).extracting(Score::value).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0);
            assertThat(s.get(0).details()).containsEntry("batch", 5);
            assertThat(s.get(6).details()).containsEntry("batch", 2);
        }
        try (ExternalProgramReward f = scripted()) {
            Score s = f.score(List.of(new RewardInput("p", "abc", Map.of("answer", "4", "nums", List.of(1, 2)), 3))).get(0);
            assertThat(s.value()).isEqualTo(3.0);
            assertThat(f.score(rows("héllo 日本\n\"x\"")).get(0).value()).isEqualTo(12.0); // UTF-8 and escapes intact
            assertThat(s.details().get("batch")).isEqualTo(Map.of("index", 0, "size", 1));
            waitFor(() -> log.stream().anyMatch(l -> l.contains("[external reward 'external' (python3 ")
                    && l.endsWith("] scripted reward started"))); // stderr goes to the log
        }
    }

    @Test
    void aCrashMidBatchNamesTheProgramTheRowAndItsLastWordsAndTheNextBatchRestartsIt() {
        try (ExternalProgramReward f = scripted()) {
            assertThatThrownBy(() -> f.score(rows("a", "b", "CRASH here", "d")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("external reward 'external' (python3 ")
                    .hasMessageContaining("exited with status 3 after answering 2 of the 4 rows sent")
                    .hasMessageContaining("row 2 of the batch of 4 (completion \"CRASH here\") got no answer")
                    .hasMessageContaining("boom on purpose at CRASH here")
                    .hasMessageContaining("on_error: null");
            assertThat(f.pid()).isEqualTo(-1);
            assertThat(f.score(rows("ok")).get(0).value()).isEqualTo(2.0); // restarted
        }
    }

    @Test
    void withOnErrorNullTheFailedRowIsNotApplicableAndTheRestIsScoredByARestartedProgram() {
        try (ExternalProgramReward f = scripted("on_error", "null")) {
            List<Score> s = f.score(rows("a", "CRASH", "ccc", "GARBAGE", "eeeee"));
            assertThat(s).extracting(Score::value).containsExactly(1.0, null, 3.0, null, 5.0);
            assertThat(s.get(1).details()).containsEntry("reason", "reward failed (on_error: null)");
            assertThat((String) s.get(1).details().get("error")).contains("exited with status 3", "row 1 of the batch");
            assertThat((String) s.get(3).details().get("error")).contains("row 3", "is not JSON");
            assertThat(s.get(0).details().get("pid")).isNotEqualTo(s.get(4).details().get("pid"));
            assertThat(log).filteredOn(l -> l.contains("warning:")).hasSize(2);
        }
    }

    @Test
    void aHangEndsAtTimeoutMsWithTheProgramKilled() {
        try (ExternalProgramReward f = scripted("timeout_ms", 1500)) {
            f.score(rows("warm-up")); // start-up is not what this test times
            long pid = f.pid();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> f.score(rows("a", "HANG", "c")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("gave no answer to row 1 of the batch of 3 (completion \"HANG\") within timeout_ms=1500")
                    .hasMessageContaining("after answering 1 of the 3 rows sent");
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
            waitFor(() -> gone(pid));
        }
    }

    @Test
    void garbageAndBadScoresAreMalformedOutput() {
        try (ExternalProgramReward f = scripted()) {
            assertThatThrownBy(() -> f.score(rows("a", "GARBAGE")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("its answer to row 1 of the batch of 2 (completion \"GARBAGE\") is not JSON")
                    .hasMessageContaining("\"hello, this is not JSON\"")
                    .hasMessageContaining("logs to stderr");
            assertThatThrownBy(() -> f.score(rows("BADSCORE")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("has a \"score\" that is not a number or null: \"high\"");
        }
    }

    @Test
    void tooFewLinesIsATimeoutOrAnEarlyExitAndTooManyLinesIsCaught() {
        try (ExternalProgramReward f = scripted("timeout_ms", 1500)) {
            f.score(rows("warm-up"));
            assertThatThrownBy(() -> f.score(rows("a", "SKIP", "c")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("gave no answer to row 2 of the batch of 3")
                    .hasMessageContaining("after answering 2 of the 3 rows sent"); // the answer to c came in SKIP's place
            assertThatThrownBy(() -> f.score(rows("a", "b", "EXIT0", "d")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("exited with status 0 after answering 2 of the 4 rows sent");
            // the extra line is caught after the answers it came with, or before the next request batch goes out
            assertThatThrownBy(() -> {
                f.score(rows("a", "TWICE", "c"));
                Thread.sleep(300);
                f.score(rows("d"));
            }).isInstanceOf(ZerorlException.class).hasMessageContaining("wrote more lines than it was sent requests");
        }
    }

    @Test
    void repeatedFailuresInOneBatchStopAfterThreeNeverStallingTheRun() {
        try (ExternalProgramReward f = scripted("on_error", "null")) {
            List<Score> s = f.score(rows("CRASH 0", "CRASH 1", "CRASH 2", "d", "e"));
            assertThat(s).allMatch(x -> !x.applicable());
            assertThat((String) s.get(3).details().get("error")).startsWith("not sent: the program failed 3 times");
        }
    }

    @Test
    void aProgramThatDoesNotStartIsReportedAtItsFirstBatchWithItsError() {
        Path bad = Programs.write(tmp, "syntax.py", "def broken(:\n");
        try (ExternalProgramReward f = new ExternalProgramReward("external", options(bad), log::add)) {
            assertThatThrownBy(() -> f.score(rows("a")))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("exited with status 1 after answering 0 of the 1 rows sent")
                    .hasMessageContaining("SyntaxError");
        }
    }

    @Test
    void aMissingProgramOrScriptAndBadOptionsFailWhenTheRewardIsBuilt() {
        RewardRegistry reg = RewardRegistry.builtins();
        assertThatThrownBy(() -> reg.create("external", Map.of())).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("needs a 'command'");
        assertThatThrownBy(() -> reg.create("external", Map.of("command", List.of("no-such-program-zerorl", "x"))))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("program 'no-such-program-zerorl' not found on PATH");
        assertThatThrownBy(() -> reg.create("external", Map.of("command", "python3 missing/reward.py")))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("'missing/reward.py', which does not exist");
        assertThatThrownBy(() -> reg.create("external", Map.of("command", List.of("python3", EXAMPLE), "timeout_m", 5)))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("did you mean 'timeout_ms'");
        assertThatThrownBy(() -> reg.create("external", Map.of("command", List.of("python3", EXAMPLE), "on_error", "zero")))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("one of [fail, null]");
        assertThat(reg.create("external", Map.of("command", List.of("python3", EXAMPLE), "id", "judge")).name())
                .isEqualTo("judge");
    }

    @Test
    void closeStopsTheProgramAndWhatItStartedEvenWhenItIgnoresEndOfInput() {
        Path script = Programs.write(tmp, "scripted.py", Programs.SCRIPTED);
        RewardOptions o = new RewardOptions("external", Map.of("command",
                List.of("env", "IGNORE_EOF=1", "python3", script.toString())));
        ExternalProgramReward f = new ExternalProgramReward("external", o, log::add);
        Score s = f.score(rows("CHILD")).get(0);
        ProcessHandle program = ProcessHandle.of(((Number) s.details().get("pid")).longValue()).orElseThrow();
        ProcessHandle child = ProcessHandle.of(((Number) s.details().get("child")).longValue()).orElseThrow();
        int live = Reaper.live();
        f.close();
        waitFor(() -> gone(program.pid()) && gone(child.pid()));
        assertThat(Reaper.live()).isEqualTo(live - 1);
        assertThatThrownBy(() -> f.score(rows("a"))).isInstanceOf(IllegalStateException.class);
    }

    /** Not running: no such process, or a zombie waiting for its parent (or init) to read its status. */
    static boolean gone(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /** Waits up to 10 s for the condition (output and process ends arrive asynchronously). */
    static void waitFor(java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached within 10 s").isLessThan(end);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
