package io.zerorl.cli;

import io.zerorl.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DatasetsCommandTest {
    static CliRun.Result run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void listShowsEveryDescriptorAndWhetherItsFileIsPresent(@TempDir Path empty) {
        CliRun.Result r = run("datasets", "list", "--data-dir", TestPaths.datasets().toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("gsm8k", "math500", "aime24", "amc23", "humaneval", "mbpp", "countdown")
                .doesNotContain("missing");
        CliRun.Result m = run("datasets", "list", "--data-dir", empty.toString());
        assertThat(m.out()).contains("missing", empty.resolve("gsm8k/test.jsonl").toString(), "zerorl datasets fetch gsm8k");
    }

    @Test
    void fetchOfflineSaysWhichFileToPlaceWhere(@TempDir Path dir) {
        CliRun.Result r = run("datasets", "fetch", "gsm8k", "--data-dir", dir.toString(), "--offline");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("offline", "Place https://raw.githubusercontent.com/openai/grade-school-math/master/"
                + "grade_school_math/data/test.jsonl at " + dir.resolve("gsm8k/test.jsonl"));
        assertThat(Files.exists(dir.resolve("gsm8k/test.jsonl"))).isFalse();
    }

    @Test
    void failedDownloadNamesTheUrlAndTheTargetAndWritesNothing(@TempDir Path dir) {
        // port 9 (discard) on loopback: refused at once, no real network involved
        CliRun.Result r = run("datasets", "fetch", "countdown", "--data-dir", dir.toString(), "--url", "http://127.0.0.1:9/cd3.jsonl",
                "--timeout", "5");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("Could not download http://127.0.0.1:9/cd3.jsonl",
                "Place http://127.0.0.1:9/cd3.jsonl at " + dir.resolve("countdown/countdown_cd3_test.jsonl"));
        assertThat(dir.resolve("countdown")).doesNotExist();
    }

    @Test
    void fetchOfPresentFileIsANoOpAndUnknownNameListsKnownOnes() {
        CliRun.Result r = run("datasets", "fetch", "aime24", "--data-dir", TestPaths.datasets().toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("already present");
        CliRun.Result u = run("datasets", "fetch", "aime25");
        assertThat(u.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(u.err()).contains("unknown dataset 'aime25'", "did you mean 'aime24'", "gsm8k");
    }
}
