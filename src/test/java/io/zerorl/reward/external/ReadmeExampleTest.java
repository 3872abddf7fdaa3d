package io.zerorl.reward.external;

import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ten-line Python reward of README.md and rewards/README.md is ten lines, the same in both, and works as written. */
@Timeout(60)
class ReadmeExampleTest {
    @Test
    void theTenLinePythonExampleRuns(@TempDir Path tmp) throws IOException {
        String code = example(Path.of("rewards/README.md"), "A complete reward in ten lines of Python");
        assertThat(example(Path.of("README.md"), "A complete reward program in ten lines of Python")).isEqualTo(code);
        assertThat(code.lines().filter(l -> !l.isBlank())).hasSizeLessThanOrEqualTo(10);
        Path script = Programs.write(tmp, "ten.py", code);
        try (ExternalProgramReward f = new ExternalProgramReward("external",
                new RewardOptions("external", Map.of("command", List.of("python3", script.toString()))), s -> { })) {
            List<Score> s = f.score(List.of(new RewardInput("q", "so 42", Map.of("answer", 42)),
                    new RewardInput("q", "so 41", Map.of("answer", "42")), new RewardInput("q", "x", Map.of())));
            assertThat(s).extracting(Score::value).containsExactly(1.0, 0.0, null);
            assertThat(s.get(0).details()).containsEntry("found", true);
        }
    }

    private static String example(Path doc, String after) throws IOException {
        String text = Files.readString(doc);
        int at = text.indexOf("```python\n", text.indexOf(after));
        return text.substring(at + "```python\n".length(), text.indexOf("```", at + 3));
    }
}
