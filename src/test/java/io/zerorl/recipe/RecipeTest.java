package io.zerorl.recipe;

import io.zerorl.TestPaths;
import io.zerorl.eval.EvalDuringTraining;
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

    /** The optim section is the optimizer package's own record: its checks, with the recipe key in the message. */
    @Test
    void optimValuesAreCheckedByTheOptimizerConfig() {
        assertThatThrownBy(() -> RecipeValidator.validate(toy("optim.beta2=1.0"))).hasMessageContaining("optim.beta2 must be in [0, 1)");
        assertThatThrownBy(() -> RecipeValidator.validate(toy("optim.min_lr_ratio=2"))).hasMessageContaining("optim.min_lr_ratio");
    }

    /** Each section's record checks its values as the recipe loads; the message names the full key. */
    @Test
    void badValuesFailWhileLoadingWithTheFullKey() {
        assertThatThrownBy(() -> toy("train.dapo.max_refill_rounds=-1")).isInstanceOf(ZerorlException.class)
                .hasMessageStartingWith("train.dapo.max_refill_rounds must be >= 0");
        assertThatThrownBy(() -> toy("rollout.temperature=0")).hasMessageStartingWith("rollout.temperature must be > 0");
        assertThatThrownBy(() -> toy("rollout.top_p=1.5")).hasMessageStartingWith("rollout.top_p must be in (0, 1]");
        assertThatThrownBy(() -> toy("algo.kl_estimator=k9")).hasMessageStartingWith("algo.kl_estimator: ")
                .hasMessageContaining("k1, k2, k3");
        assertThatThrownBy(() -> toy("optim.warmup_steps=-2")).hasMessageStartingWith("optim.warmup_steps must be >= 0");
        assertThatThrownBy(() -> toy("export.dtype=fp8")).hasMessageStartingWith("export.dtype must be one of bf16, fp32");
        assertThatThrownBy(() -> toy("train.loss_scale_init=0")).hasMessageStartingWith("train.loss_scale_init must be");
        assertThatThrownBy(() -> toy("model.device=tpu")).hasMessageStartingWith("model.device must be one of cpu, gpu");
        assertThatThrownBy(() -> toy("output_dir=")).hasMessageStartingWith("output_dir must be set");
        assertThatThrownBy(() -> toy("eval.ks=[0]")).hasMessageStartingWith("eval.ks must each be in 1..eval.n");
        // the same record built in code names its own key only
        assertThatThrownBy(() -> new io.zerorl.optim.OptimConfig(1e-6, -2, "constant", 0, 0.9, 0.99, 1e-8, 0, 1))
                .hasMessageStartingWith("warmup_steps must be >= 0");
    }

    @Test
    void evalSectionIsOffByDefaultAndParsesFromYamlAndSet() throws Exception {
        EvalDuringTraining.Config off = toy().eval();
        assertThat(off.every()).isZero();
        assertThat(off.benchmarks()).isEmpty();
        assertThat(off.limit()).isEqualTo(64);
        assertThat(off.ks()).containsExactly(1);
        assertThat(off.maxNewTokens()).isNull();
        assertThat(off.template()).isNull();
        RecipeValidator.validate(toy()); // off: no benchmark needed

        Path file = tmp.resolve("with-eval.yaml");
        Files.writeString(file, Files.readString(Path.of("recipes/qwen2-tiny/grpo/toy.yaml")) + """
                eval:
                  every: 10
                  at_start: true
                  benchmarks: [gsm8k]
                  limit: 8
                  n: 2
                  ks: [1, 2]
                  temperature: 0.6
                  max_new_tokens: 32
                  template: plain
                """);
        Recipe r = RecipeLoader.load(file, List.of("model.path=" + TestPaths.fixture("qwen2-tiny"),
                "data.data_dir=" + TestPaths.datasets(), "eval.limit=4", "eval.benchmarks=[gsm8k, math500]"));
        EvalDuringTraining.Config e = r.eval();
        assertThat(e.every()).isEqualTo(10);
        assertThat(e.atStart()).isTrue();
        assertThat(e.benchmarks()).containsExactly("gsm8k", "math500"); // --set beats YAML
        assertThat(e.limit()).isEqualTo(4);
        assertThat(e.n()).isEqualTo(2);
        assertThat(e.ks()).containsExactly(1, 2);
        assertThat(e.temperature()).isEqualTo(0.6);
        assertThat(e.maxNewTokens()).isEqualTo(32);
        assertThat(e.template()).isEqualTo("plain");
        assertThat(e.batchSize()).isEqualTo(16);  // default
        assertThat(e.saveReports()).isTrue();     // default
        RecipeValidator.validate(r);
        Recipe again = RecipeLoader.build((com.fasterxml.jackson.databind.node.ObjectNode)
                readYaml(RecipeLoader.toYaml(r)), List.of());
        assertThat(again).isEqualTo(r);
        assertThat(RecipeLoader.keys()).contains("eval.every", "eval.at_start", "eval.benchmarks", "eval.max_new_tokens");
    }

    @Test
    void evalKeysAndValuesAreCheckedBeforeAnyModelLoads() {
        assertThatThrownBy(() -> toy("eval.evry=2")).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("unknown recipe key 'eval.evry'").hasMessageContaining("did you mean 'eval.every'");
        assertThatThrownBy(() -> toy("eval.benchmark=[gsm8k]"))
                .hasMessageContaining("did you mean 'eval.benchmarks'");
        assertThatThrownBy(() -> toy("evals.every=2")).hasMessageContaining("unknown recipe key 'evals'")
                .hasMessageContaining("did you mean 'eval'?");
        assertThatThrownBy(() -> toy("eval.every=often")).isInstanceOf(ZerorlException.class).hasMessageContaining("every");

        String data = "data.data_dir=" + TestPaths.datasets();
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.every=-1")))
                .hasMessageContaining("eval.every must be >= 0");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.every=2", "eval.benchmarks=[gsm8k]", "eval.limit=0")))
                .hasMessageContaining("eval.limit must be >= 1");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.every=2", "eval.benchmarks=[gsm8k]", "eval.ks=[1, 4]")))
                .hasMessageContaining("eval.ks").hasMessageContaining("k = 4 with n = 1");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.n=0"))).hasMessageContaining("eval.n");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.temperature=-0.5")))
                .hasMessageContaining("eval.temperature must be >= 0");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.max_new_tokens=0")))
                .hasMessageContaining("eval.max_new_tokens must be >= 1");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.template=r2")))
                .hasMessageContaining("eval.template must be one of").hasMessageContaining("r1");
        // unknown names fail even while eval is off, listing the valid ones
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.benchmarks=[gsm9k]")))
                .hasMessageContaining("unknown benchmark 'gsm9k'").hasMessageContaining("did you mean 'gsm8k'")
                .hasMessageContaining("math500").hasMessageContaining("humaneval").hasMessageContaining("name.yaml");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.every=5")))
                .hasMessageContaining("eval.benchmarks must name at least one benchmark");
        assertThatThrownBy(() -> RecipeValidator.validate(toy(data, "eval.every=5", "eval.benchmarks=[" + tmp.resolve("nope.yaml") + "]")))
                .hasMessageContaining("descriptor file not found");
        // with eval on, the benchmark file must be there now, not at the first evaluation
        assertThatThrownBy(() -> RecipeValidator.validate(toy("data.data_dir=" + tmp, "eval.every=5", "eval.benchmarks=[gsm8k]")))
                .hasMessageContaining("eval.benchmarks").hasMessageContaining("gsm8k").hasMessageContaining("not found");
        RecipeValidator.validate(toy(data, "eval.every=5", "eval.benchmarks=[gsm8k]"));
    }
}
