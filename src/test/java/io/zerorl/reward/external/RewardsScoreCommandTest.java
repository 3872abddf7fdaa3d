package io.zerorl.reward.external;

import io.zerorl.cli.Main;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code zerorl rewards score --reward ...} with the three new kinds: a program, a Java source file, a failure. */
@Timeout(120)
class RewardsScoreCommandTest {
    @TempDir
    Path tmp;

    private Path rows() throws IOException {
        Path in = tmp.resolve("rows.jsonl");
        Files.write(in, List.of("{\"completion\": \"It is apple\", \"answer\": \"apple\"}",
                "{\"completion\": \"dunno\", \"answer\": \"pear\", \"completion_tokens\": 2}", "{\"completion\": \"no gold\"}"));
        return in;
    }

    @Test
    void scoresWithAProgramAndWithAJavaSourceFile() throws IOException {
        Path in = rows();
        Path out = tmp.resolve("ext.jsonl");
        assertThat(Main.run("rewards", "score", "--reward", "external", "--option",
                "command=python3 " + ExternalProgramRewardTest.EXAMPLE, "--input", in.toString(), "--output", out.toString()))
                .isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        assertThat(Json.MAPPER.readTree(lines.get(0)).get("score").asDouble()).isEqualTo(1.0);
        assertThat(Json.MAPPER.readTree(lines.get(2)).get("score").isNull()).isTrue();

        Path out2 = tmp.resolve("java.jsonl");
        assertThat(Main.run("rewards", "score", "--reward", "rewards/examples/single-file/LengthTarget.java", "--option",
                "target_tokens=2", "--input", in.toString(), "--output", out2.toString())).isZero();
        assertThat(Json.MAPPER.readTree(Files.readAllLines(out2).get(1)).get("score").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aFailingProgramIsABadInputExitWithNoOutputFile() throws IOException {
        Path crash = Programs.write(tmp, "crash.py", "import sys\nsys.stdin.readline()\nsys.exit(5)\n");
        Path out = tmp.resolve("never.jsonl");
        assertThat(Main.run("rewards", "score", "--reward", "external", "--option", "command=python3 " + crash,
                "--input", rows().toString(), "--output", out.toString())).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(out).doesNotExist(); // nothing half-written
    }
}
