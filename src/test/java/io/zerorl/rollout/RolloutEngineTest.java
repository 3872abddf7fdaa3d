package io.zerorl.rollout;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
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

    /**
     * Rows that finish early are dropped from the batch and the KV cache (finished-row compaction): the
     * rows still running must be unaffected, so a run with a stop token gives each row the prefix, up to its
     * first stop token, of the same run without it (same seeds), log-probs included.
     */
    @Test
    void rowsFinishingAtDifferentStepsLeaveTheOthersUnchanged() {
        try (Policy policy = Policy.load(TestPaths.fixture("qwen3moe-tiny"), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> prompts = List.of(new int[] {57, 314, 280}, new int[] {292, 319, 329, 284, 16, 40, 41}, new int[] {30});
            SamplingParams p = SamplingParams.sample(1.3, 16, 4, 5);
            RolloutEngine engine = new RolloutEngine(policy, CHARS, new int[0]);
            List<Completion> free = engine.generate(prompts, p);
            // the stop tokens: the 3rd token of three rows, so rows end at different steps (some never)
            List<Integer> stops = List.of(free.get(0).tokenIds()[2], free.get(5).tokenIds()[6], free.get(10).tokenIds()[11]);
            List<Completion> stopped = engine.generate(prompts, p.withStops(stops, List.of()));
            int early = 0;
            for (int r = 0; r < free.size(); r++) {
                int[] all = free.get(r).tokenIds();
                int n = 0;
                while (n < all.length && !stops.contains(all[n])) {
                    n++;
                }
                Completion c = stopped.get(r);
                if (n < all.length) {
                    early++;
                    assertThat(c.finishReason()).isEqualTo(FinishReason.EOS);
                    assertThat(c.tokenIds()).as("row %d", r).containsExactly(Arrays.copyOf(all, n + 1));
                    assertClose(c.logprobs(), Arrays.copyOf(free.get(r).logprobs(), n + 1));
                } else {
                    assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
                    assertThat(c.tokenIds()).as("row %d", r).containsExactly(all);
                    assertClose(c.logprobs(), free.get(r).logprobs());
                }
            }
            assertThat(early).isBetween(3, free.size() - 1);
        }
    }

    /** Log-probs of the same tokens in batches of different sizes: equal up to float32 rounding. */
    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
        }
    }

    /**
     * Stop strings with the real fixture tokenizer (byte-level BPE): sample a group without stops, pick a
     * stop string made of the end of one token's text and the start of the next one's, and sample again
     * with it. Every row must end exactly at the first token whose text completes the stop string, its text
     * cut before it; rows whose completion never contains it run to max_new_tokens unchanged.
     */
    @Test
    void stopStringsSpanningTokensWithTheRealTokenizer() {
        Path dir = TestPaths.fixture("qwen2-tiny");
        try (Policy policy = Policy.load(dir, Device.cpu(), DataType.FLOAT32); Tokenizer tok = Tokenizer.load(dir)) {
            TokenDecoder decode = ids -> tok.decode(ids, true);
            RolloutEngine engine = new RolloutEngine(policy, decode, new int[0]);
            List<int[]> prompt = List.of(tok.encode("The answer is"));
            SamplingParams p = SamplingParams.sample(1.0, 24, 6, 77);
            List<Completion> free = engine.generate(prompt, p);
            String stop = spanningStop(free.get(0).tokenIds(), decode);
            assertThat(stop).as("no pair of adjacent tokens with text on both sides").isNotNull();

            List<Completion> stopped = engine.generate(prompt, p.withStops(List.of(), List.of(stop)));
            int hits = 0;
            for (int r = 0; r < free.size(); r++) {
                int[] all = free.get(r).tokenIds();
                String full = decode.decode(all);
                Completion c = stopped.get(r);
                int n = 1;
                while (n <= all.length && !decode.decode(Arrays.copyOf(all, n)).contains(stop)) {
                    n++;
                }
                if (n > all.length) {
                    assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
                    assertThat(c.tokenIds()).containsExactly(all);
                    assertThat(c.text()).isEqualTo(full);
                } else {
                    hits++;
                    assertThat(c.finishReason()).as("row %d", r).isEqualTo(FinishReason.STOP);
                    assertThat(c.tokenIds()).as("row %d", r).containsExactly(Arrays.copyOf(all, n));
                    assertThat(c.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
                    assertClose(c.logprobs(), Arrays.copyOf(free.get(r).logprobs(), n));
                }
            }
            assertThat(hits).isPositive();
        }
    }

    /** Last character of one token's text plus the first of the next: a stop string found only across them. */
    static String spanningStop(int[] ids, TokenDecoder decode) {
        for (int i = 1; i + 1 < ids.length; i++) {
            String before = decode.decode(Arrays.copyOf(ids, i));
            String upTo = decode.decode(Arrays.copyOf(ids, i + 1));
            String next = decode.decode(Arrays.copyOf(ids, i + 2));
            if (upTo.length() <= before.length() || next.length() <= upTo.length() || !upTo.startsWith(before)
                    || !next.startsWith(upTo)) {
                continue;
            }
            String stop = upTo.substring(upTo.length() - 1) + next.charAt(upTo.length());
            if (stop.contains("\uFFFD")) {
                continue;
            }
            // its first occurrence must start inside token i and end inside token i + 1
            if (next.indexOf(stop) == upTo.length() - 1 && !stop.isBlank()) {
                return stop;
            }
        }
        return null;
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
