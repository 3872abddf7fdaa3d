package io.zerorl.recipe;

import io.zerorl.TestPaths;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading and validation: no model is ever loaded here (validation needs only config.json and the data file). */
class RecipeTest {
    @TempDir
    Path tmp;

    static Recipe toy(String... extra) {
        List<String> o = new ArrayList<>(List.of("model.path=" + TestPaths.fixture("qwen2-tiny")));
        o.addAll(List.of(extra));
        return RecipeLoader.load(Path.of("recipes/qwen2-tiny/grpo/toy.yaml"), o);
    }

    @Test
    void defaultsYamlAndOverridesMergeInOrder() {
        Recipe r = toy("train.group_size=4", "algo.epsilon_high=0.28", "rollout.stop_strings=[\"</answer>\"]");
        assertThat(r.train().groupSize()).isEqualTo(4);          // --set beats YAML (8)
        assertThat(r.train().promptsPerStep()).isEqualTo(2);     // YAML beats default (8)
        assertThat(r.train().numIterations()).isEqualTo(1);      // default
        assertThat(r.algo().epsilonHigh()).isEqualTo(0.28);
        assertThat(r.rollout().stopStrings()).containsExactly("</answer>");
        assertThat(r.rewardSpecs()).hasSize(1);
        RecipeValidator.validate(r);
        // the resolved YAML reads back to the same recipe
        Recipe again = RecipeLoader.build((com.fasterxml.jackson.databind.node.ObjectNode)
                readYaml(RecipeLoader.toYaml(r)), List.of());
        assertThat(again).isEqualTo(r);
    }

    static com.fasterxml.jackson.databind.JsonNode readYaml(String s) {
        try {
            return RecipeLoader.YAML.readTree(s);
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void unknownKeysNameTheNearestValidKey() {
        assertThatThrownBy(() -> toy("train.grop_size=4")).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("unknown recipe key 'train.grop_size'").hasMessageContaining("train.group_size");
        assertThatThrownBy(() -> toy("optim.learning_rate=1e-5")).hasMessageContaining("optim.");
        assertThatThrownBy(() -> toy("train.steps=many")).isInstanceOf(ZerorlException.class).hasMessageContaining("steps");
    }

    @Test
    void badValuesAreRejectedBeforeAnyModelIsLoadedWithTheValidChoices() throws Exception {
        assertThatThrownBy(() -> RecipeValidator.validate(toy("train.group_size=1")))
                .hasMessageContaining("train.group_size must be >= 2");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("algo.epsilon_low=1.5")))
                .hasMessageContaining("epsilon_low must be in (0, 1)");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("algo.epsilon_high=0")))
                .hasMessageContaining("epsilon_high must be in (0, 1)");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("algo.loss_type=ppo")))
                .hasMessageContaining("'ppo'").hasMessageContaining("grpo").hasMessageContaining("dr_grpo").hasMessageContaining("dapo");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("algo.scale_rewards=sometimes")))
                .hasMessageContaining("group").hasMessageContaining("none");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("train.precision=bf16")))
                .hasMessageContaining("float32, float16");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("optim.schedule=linear")))
                .hasMessageContaining("constant").hasMessageContaining("cosine");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("data.prompt_field=problem")))
                .hasMessageContaining("lacks the prompt field 'problem'").hasMessageContaining("question, answer");
        Path rows = tmp.resolve("rows.jsonl");
        Files.writeString(rows, "{\"question\": \"a\"}\n{\"prompt\": \"b\"}\n");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("data.path=" + rows)))
                .hasMessageContaining("row 2").hasMessageContaining("'question'");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("rewards=[{name: math_acuracy}]")))
                .hasMessageContaining("math_accuracy");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("model.path=" + tmp)))
                .hasMessageContaining("no config.json");
    }

    /** The validator keeps its own list of schedules (recipe does not import train); it must match the registry. */
    @Test
    void validatorSchedulesAreTheLrScheduleRegistry() {
        assertThat(RecipeValidator.SCHEDULES).containsExactlyElementsOf(io.zerorl.train.optim.LrSchedule.decays().names());
        assertThatThrownBy(() -> RecipeValidator.validate(toy("optim.beta2=1.0"))).hasMessageContaining("optim.beta2 must be in [0, 1)");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("optim.min_lr_ratio=2"))).hasMessageContaining("optim.min_lr_ratio");
    }
}
