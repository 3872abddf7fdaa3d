package io.zerorl.reward;

import io.zerorl.reward.code.CodeReward;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rewards that hold resources are closed by whoever made them: the weighted sum closes its functions. */
class RewardLifecycleTest {
    /** A reward that records being closed. */
    static final class Tracked extends RewardFunction.PerItem {
        final List<String> closed;

        Tracked(String name, List<String> closed) {
            super(name);
            this.closed = closed;
        }

        @Override
        protected Score scoreItem(RewardInput input) {
            return Score.of(1.0);
        }

        @Override
        public void close() {
            closed.add(name());
        }
    }

    @Test
    void closingTheWeightedSumClosesEveryFunction() {
        List<String> closed = new ArrayList<>();
        RewardRegistry reg = RewardRegistry.builtins();
        reg.register("tracked_a", "test", (name, o) -> new Tracked(name, closed));
        reg.register("tracked_b", "test", (name, o) -> new Tracked(name, closed));
        try (WeightedRewards w = WeightedRewards.of(List.of(RewardSpec.of("tracked_a", 1), RewardSpec.of("tracked_b", 1)),
                reg)) {
            assertThat(w.score(List.of(new RewardInput("", "x", Map.of()))).total()).containsExactly(2.0);
            assertThat(closed).isEmpty();
        }
        assertThat(closed).containsExactly("tracked_a", "tracked_b");
    }

    @Test
    void whenOneRewardFailsToBuildTheOnesBuiltAreClosed() {
        List<String> closed = new ArrayList<>();
        RewardRegistry reg = RewardRegistry.builtins();
        reg.register("tracked_a", "test", (name, o) -> new Tracked(name, closed));
        assertThatThrownBy(() -> WeightedRewards.of(List.of(RewardSpec.of("tracked_a", 1),
                RewardSpec.fromMap(Map.of("name", "format", "mode", "strikt"))), reg)).isInstanceOf(ZerorlException.class);
        assertThat(closed).containsExactly("tracked_a");
    }

    @Test
    void closingTheCodeRewardStopsItsSandboxPool() {
        CodeReward code = (CodeReward) RewardRegistry.builtins().create("code", Map.of("workers", 1));
        code.close();
        assertThatThrownBy(() -> code.sandbox().runAll(List.of("print(1)"))).isInstanceOf(RejectedExecutionException.class);
    }
}
