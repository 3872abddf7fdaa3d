package io.zerorl.reward;

import io.zerorl.TestPaths;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.recipe.RecipeValidator;
import io.zerorl.train.GrpoTrainer;
import io.zerorl.train.TrainResult;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shipped recipe with custom rewards trains with the real programs (the Java source file compiled, the Python
 * program running, and the same program as an HTTP server on 127.0.0.1), and RecipeValidator reports a compile
 * error or a missing program before any model loads.
 */
@Timeout(300)
class CustomRewardRecipeTest {
    static final Path RECIPE = Path.of("recipes/qwen2-tiny/grpo/custom-rewards.yaml");

    @TempDir
    Path tmp;

    private Recipe recipe(String... extra) {
        List<String> o = new ArrayList<>(List.of("model.path=" + TestPaths.fixture("qwen2-tiny"),
                "output_dir=" + tmp.resolve("run"), "train.steps=2"));
        o.addAll(List.of(extra));
        return RecipeLoader.load(RECIPE, o);
    }

    @Test
    void theShippedRecipeTrainsWithTheJavaSourceFileAndThePythonProgram() {
        Recipe r = recipe();
        RecipeValidator.validate(r);
        TrainResult result = GrpoTrainer.run(r);
        assertThat(result.history()).hasSize(2);
        for (Map<String, Object> m : result.history()) {
            assertThat(((Number) m.get("rewards/length_target/mean")).doubleValue()).isBetween(0.0, 1.0);
            assertThat(((Number) m.get("rewards/external/mean")).doubleValue()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void theSameProgramServedOverHttpTrainsToo() throws IOException, InterruptedException {
        Process server = new ProcessBuilder("python3", "rewards/examples/python/answer_match.py", "--http", "0").start();
        try {
            String first = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
            String url = first.substring("listening on ".length());
            TrainResult result = GrpoTrainer.run(recipe("train.steps=1",
                    "rewards=[{name: http, url: \"" + url + "\", timeout_ms: 5000}]"));
            assertThat(((Number) result.history().get(0).get("rewards/http/mean")).doubleValue()).isBetween(0.0, 1.0);
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void aCompileErrorIsReportedBeforeAnyModelLoads() throws IOException {
        Path bad = tmp.resolve("Bad.java");
        Files.writeString(bad, "public class Bad implements io.zerorl.reward.RewardFunction {\n}\n");
        assertThatThrownBy(() -> RecipeValidator.validate(recipe("rewards=[{name: " + bad + "}]")))
                .isInstanceOf(ZerorlException.class)
                .hasMessageStartingWith("rewards: Reward '" + bad + "' does not compile (1 error)")
                .hasMessageContaining(bad + ":1:8: Bad is not abstract and does not override abstract method");
    }

    @Test
    void aMissingProgramOrScriptIsReportedBeforeAnyModelLoads() {
        assertThatThrownBy(() -> RecipeValidator.validate(recipe("rewards=[{name: external, command: [python3, nope.py]}]")))
                .isInstanceOf(ZerorlException.class)
                .hasMessageStartingWith("rewards: Reward 'external': command [python3, nope.py] names the file 'nope.py'");
        assertThatThrownBy(() -> RecipeValidator.validate(recipe("rewards=[{name: external, command: [zerorl-no-such-judge]}]")))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("program 'zerorl-no-such-judge' not found on PATH");
    }
}
