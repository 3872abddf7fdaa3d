package io.zerorl.rollout;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.model.Policy;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RolloutEngineTest {
    /** The fixture prompts without their left padding. */
    static List<int[]> prompts(JsonNode ref) {
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < ref.get("input_ids").size(); b++) {
            List<Integer> p = new ArrayList<>();
            for (int t = 0; t < ref.get("input_ids").get(b).size(); t++) {
                if (ref.get("attention_mask").get(b).get(t).asInt() == 1) {
                    p.add(ref.get("input_ids").get(b).get(t).asInt());
                }
            }
            out.add(p.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** A stand-in detokenizer: every id becomes a short distinct string (stop strings can span ids). */
    static final TokenDecoder CHARS = ids -> {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append((char) ('a' + id % 26)).append((char) ('A' + (id / 26) % 26));
        }
        return sb.toString();
    };

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "qwen3moe-tiny", "mixtral-tiny", "deepseekv3-tiny"})
    void greedyWithCacheReproducesTransformersAndMatchesUncached(String name) {
        JsonNode ref = Json.readTree(TestPaths.fixture(name).resolve("reference.json"));
        try (Policy policy = Policy.load(TestPaths.fixture(name), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> prompts = prompts(ref);
            int steps = ref.get("greedy_ids").get(0).size() - ref.get("input_ids").get(0).size();
            SamplingParams greedy = SamplingParams.greedy(steps);
            List<Completion> cached = new RolloutEngine(policy, CHARS, new int[0]).generate(prompts, greedy);
            List<Completion> uncached = new RolloutEngine(policy, CHARS, new int[0]).withoutCache().generate(prompts, greedy);
            for (int b = 0; b < prompts.size(); b++) {
                JsonNode want = ref.get("greedy_ids").get(b);
                int[] expected = new int[steps];
                for (int s = 0; s < steps; s++) {
                    expected[s] = want.get(want.size() - steps + s).asInt();
                }
                Completion c = cached.get(b);
                assertThat(c.tokenIds()).as("%s row %d", name, b).containsExactly(expected);
                assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(uncached.get(b).tokenIds()).containsExactly(expected);
                for (int s = 0; s < steps; s++) {
                    double lp = ref.get("greedy_new_token_logprobs").get(b).get(s).asDouble();
                    assertThat((double) c.logprobs()[s]).isCloseTo(lp, within(1e-4));
                    assertThat(uncached.get(b).logprobs()[s]).isCloseTo(c.logprobs()[s], within(1e-4f));
                }
            }
        }
    }

    @Test
    void samplingIsReproducibleAndIndependentOfBatchComposition() {
        try (Policy policy = Policy.load(TestPaths.fixture("qwen3moe-tiny"), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> prompts = List.of(new int[] {57, 314, 280}, new int[] {292, 319, 329, 284, 16}, new int[] {30, 283});
            SamplingParams p = SamplingParams.sample(1.0, 10, 4, 1234).withTopP(0.95);
            RolloutEngine engine = new RolloutEngine(policy, CHARS, new int[0]);
            List<Completion> a = engine.generate(prompts, p);
            List<Completion> b = engine.generate(prompts, p);
            assertThat(a).hasSize(12);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).tokenIds()).containsExactly(a.get(i).tokenIds());
            }
            // the second prompt alone, with the same seed: its rows draw the same numbers
            List<Completion> alone = engine.generate(List.of(prompts.get(0)), p);
            for (int s = 0; s < 4; s++) {
                assertThat(alone.get(s).tokenIds()).containsExactly(a.get(s).tokenIds());
            }
            // different seeds give different groups
            List<Completion> other = engine.generate(prompts, new SamplingParams(true, 1.0, 0.95, 0, 0, 10,
                    List.of(), List.of(), 4, 99));
            assertThat(Arrays.equals(other.get(0).tokenIds(), a.get(0).tokenIds())
                    && Arrays.equals(other.get(1).tokenIds(), a.get(1).tokenIds())).isFalse();
        }
    }

    @Test
    void eosStopStringsAndMaxNewTokens() {
        try (Policy policy = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> prompt = List.of(new int[] {57, 314, 280, 341, 338, 329, 18, 33});
            RolloutEngine plain = new RolloutEngine(policy, CHARS, new int[0]);
            Completion free = plain.generate(prompt, SamplingParams.greedy(12)).get(0);
            assertThat(free.tokenIds()).hasSize(12); // max_new_tokens is exact
            assertThat(free.finishReason()).isEqualTo(FinishReason.LENGTH);

            int eosAt = 3;
            int eos = free.tokenIds()[eosAt];
            int firstOccurrence = 0;
            while (free.tokenIds()[firstOccurrence] != eos) {
                firstOccurrence++;
            }
            Completion stopped = new RolloutEngine(policy, CHARS, new int[] {eos}).generate(prompt, SamplingParams.greedy(12)).get(0);
            assertThat(stopped.finishReason()).isEqualTo(FinishReason.EOS);
            assertThat(stopped.tokenIds()).containsExactly(Arrays.copyOf(free.tokenIds(), firstOccurrence + 1));

            // a stop string made of the last character of token 5 and the first of token 6
            String text = CHARS.decode(free.tokenIds());
            String stop = text.substring(2 * 5 + 1, 2 * 5 + 3);
            int at = text.indexOf(stop);
            Completion s = plain.generate(prompt, SamplingParams.greedy(12).withStops(List.of(), List.of(stop))).get(0);
            assertThat(s.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(s.text()).isEqualTo(text.substring(0, at));
            assertThat(s.tokenIds().length).isEqualTo((at + stop.length() + 1) / 2);
        }
    }

    @Test
    void badParametersAreClearErrors() {
        assertThatThrownBy(() -> SamplingParams.sample(0.0, 10, 1, 0)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("temperature must be > 0");
        assertThatThrownBy(() -> SamplingParams.sample(1.0, 10, 1, 0).withTopP(1.5)).hasMessageContaining("top_p must be in (0, 1]");
        assertThatThrownBy(() -> SamplingParams.sample(1.0, 10, 1, 0).withTopP(0.0)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> SamplingParams.sample(1.0, 10, 1, 0).withMinP(1.0)).hasMessageContaining("min_p");
        assertThatThrownBy(() -> SamplingParams.sample(1.0, 0, 1, 0)).hasMessageContaining("max_new_tokens");
        try (Policy policy = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            RolloutEngine e = new RolloutEngine(policy, CHARS, new int[0]);
            assertThatThrownBy(() -> e.generate(List.of(new int[0]), SamplingParams.greedy(4)))
                    .isInstanceOf(ZerorlException.class).hasMessageContaining("prompt 0 is empty");
            int[] longPrompt = new int[policy.config().maxPositions];
            assertThatThrownBy(() -> e.generate(List.of(longPrompt), SamplingParams.greedy(4)))
                    .hasMessageContaining("beyond the model's context of 256");
        }
    }
}
