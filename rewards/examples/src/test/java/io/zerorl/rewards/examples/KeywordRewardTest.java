package io.zerorl.rewards.examples;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeywordRewardTest {
    @Test
    void foundByServiceLoaderAndByClassName() {
        RewardRegistry reg = RewardRegistry.standard();
        assertThat(reg.names()).contains("example_keyword", "math_accuracy");
        assertThat(reg.create("example_keyword", Map.of())).isInstanceOf(KeywordReward.class);
        assertThat(reg.create(KeywordReward.Provider.class.getName(), Map.of())).isInstanceOf(KeywordReward.class);
        assertThat(reg.create(KeywordReward.class.getName(), Map.of("answer_only", false)).name())
                .isEqualTo(KeywordReward.class.getName());
    }

    @Test
    void scoresTheShareOfKeywordsInTheAnswer() {
        RewardFunction r = RewardRegistry.standard().create("example_keyword", Map.of());
        Map<String, Object> row = Map.of("keywords", List.of("Paris", "France"));
        List<Score> s = r.score(List.of(
                new RewardInput("", "<think>France? Paris?</think> It is paris.", row),
                new RewardInput("", "<think>x</think> Paris, France", row),
                new RewardInput("", "no keywords here", Map.of())));
        assertThat(s.get(0).value()).isEqualTo(0.5);
        assertThat(s.get(1).value()).isEqualTo(1.0);
        assertThat(s.get(2).applicable()).isFalse();
    }

    @Test
    void unknownOptionsAreRejectedWithTheValidOnes() {
        assertThatThrownBy(() -> RewardRegistry.standard().create("example_keyword", Map.of("case_sensitiv", true)))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("did you mean 'case_sensitive'")
                .hasMessageContaining("answer_only");
    }
}
