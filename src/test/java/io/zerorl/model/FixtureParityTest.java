package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.Fixtures;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import static org.assertj.core.api.Assertions.assertThat;

/** Parity with Hugging Face transformers on every tiny fixture (float32, CPU). */
class FixtureParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "qwen3moe-tiny", "mixtral-tiny", "deepseekv3-tiny"})
    void logitsMatchReferenceAtEveryRealPosition(String name) {
        JsonNode ref = Json.readTree(TestPaths.fixture(name).resolve("reference.json"));
        try (Policy policy = Policy.load(TestPaths.fixture(name), Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Fixtures.longs(ref.get("input_ids"));
            long[][] mask = Fixtures.longs(ref.get("attention_mask"));
            long[][] pos = Fixtures.longs(ref.get("position_ids"));
            float[] got = policy.forward(m.create(ids), m.create(mask), m.create(pos)).toFloatArray();
            LogitDiff diff = LogitDiff.atRealPositions(got, ref.get("logits"), mask, policy.config().vocabSize);
            assertThat(diff.compared()).isGreaterThan(20);
            assertThat(diff.max()).as("max |logit diff| for %s", name).isLessThan(1e-4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "qwen3moe-tiny", "mixtral-tiny", "deepseekv3-tiny"})
    void cachedGreedyDecodingReproducesTransformers(String name) {
        JsonNode ref = Json.readTree(TestPaths.fixture(name).resolve("reference.json"));
        try (Policy policy = Policy.load(TestPaths.fixture(name), Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Fixtures.longs(ref.get("input_ids"));
            long[][] mask = Fixtures.longs(ref.get("attention_mask"));
            long[][] pos = Fixtures.longs(ref.get("position_ids"));
            long[][] greedy = Fixtures.longs(ref.get("greedy_ids"));
            CachedGreedy got = CachedGreedy.run(policy, m, ids, mask, pos, greedy[0].length - ids[0].length);
            long[][] out = got.ids();
            int batch = ids.length;
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < got.newTokenLogprobs()[b].length; s++) {
                    double want = ref.get("greedy_new_token_logprobs").get(b).get(s).asDouble();
                    assertThat(got.newTokenLogprobs()[b][s]).as("%s row %d step %d log-prob", name, b, s)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-4));
                }
            }
            for (int b = 0; b < batch; b++) {
                assertThat(out[b]).as("%s greedy row %d", name, b).containsExactly(greedy[b]);
            }
        }
    }
}
