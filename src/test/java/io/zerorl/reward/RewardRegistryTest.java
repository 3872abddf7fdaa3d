package io.zerorl.reward;

import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RewardRegistryTest {
    static final List<String> BUILTINS = List.of("math_accuracy", "format", "tag_count", "reasoning_steps", "cosine_length",
            "repetition_penalty", "language_consistency", "soft_overlong", "countdown", "code");

    @Test
    void everyBuiltinIsRegisteredAndConstructsWithDefaults() {
        RewardRegistry reg = RewardRegistry.builtins();
        assertThat(reg.names()).containsAll(BUILTINS);
        for (String n : BUILTINS) {
            RewardFunction f = reg.create(n, Map.of());
            assertThat(f.name()).isEqualTo(n);
            assertThat(f.score(List.of())).isEmpty();
        }
    }

    @Test
    void unknownNameListsValidOnesAndSuggestsTheNearest() {
        assertThatThrownBy(() -> RewardRegistry.builtins().create("math_acuracy", Map.of()))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("did you mean 'math_accuracy'")
                .hasMessageContaining("countdown");
        assertThatThrownBy(() -> RewardRegistry.builtins().create("com.example.Missing", Map.of()))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("no such class");
    }

    @Test
    void duplicatesAreRejected() {
        RewardRegistry reg = RewardRegistry.builtins();
        assertThatThrownBy(() -> reg.register("format", "", (n, o) -> null)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("already registered");
        reg.register("always_one", "test", (n, o) -> new RewardFunction.PerItem(n) {
            @Override
            protected Score scoreItem(RewardInput in) {
                return Score.of(1.0);
            }
        });
        assertThat(reg.create("always_one", Map.of()).scoreOne(RewardInput.of("x", Map.of())).value()).isEqualTo(1.0);
        assertThatThrownBy(() -> reg.register("always_one", "", (n, o) -> null)).isInstanceOf(ZerorlException.class);
    }

    @Test
    void optionsAreValidated() {
        RewardRegistry reg = RewardRegistry.builtins();
        assertThatThrownBy(() -> reg.create("format", Map.of("mode", "strikt"))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("one of [strict, lenient]").hasMessageContaining("did you mean 'strict'");
        assertThatThrownBy(() -> reg.create("math_accuracy", Map.of("timeout", 5))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("no option 'timeout'").hasMessageContaining("timeout_ms");
        assertThatThrownBy(() -> reg.create("reasoning_steps", Map.of("target", "three"))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("must be an integer");
        assertThatThrownBy(() -> reg.create("soft_overlong", Map.of("max_length", 100, "cache_length", 200)))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("cache_length");
        assertThat(reg.create("format", Map.of("mode", "STRICT"))).isNotNull();
    }

    @Test
    void weightedSumAndPerFunctionMeansOverApplicableScores() {
        RewardRegistry reg = RewardRegistry.builtins();
        WeightedRewards w = WeightedRewards.of(List.of(
                RewardSpec.fromMap(Map.of("name", "math_accuracy", "weight", 2.0)),
                RewardSpec.fromMap(Map.of("name", "format", "weight", 0.5, "mode", "lenient"))), reg);
        List<RewardInput> batch = List.of(
                new RewardInput("", "<think>a</think><answer>4</answer>", Map.of("answer", "4")),
                new RewardInput("", "<think>a</think><answer>5</answer>", Map.of("answer", "4")),
                new RewardInput("", "no format", Map.of()));
        WeightedRewards.Result r = w.score(batch);
        assertThat(r.total()).containsExactly(2.5, 0.5, 0.0);
        assertThat(r.means().get("math_accuracy")).isEqualTo(0.5); // the third row is not applicable
        assertThat(r.applicable().get("math_accuracy")).isEqualTo(2);
        assertThat(r.means().get("format")).isCloseTo(2 / 3.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> WeightedRewards.of(List.of(RewardSpec.of("format", 1), RewardSpec.of("format", 1)), reg))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("twice");
        RewardSpec nested = RewardSpec.fromMap(Map.of("name", "format", "options", Map.of("mode", "strict")));
        assertThat(nested.options()).containsEntry("mode", "strict");
        assertThat(nested.weight()).isEqualTo(1.0);
    }
}
