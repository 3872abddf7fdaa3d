package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
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
            NDArray logits = policy.forward(m.create(ids), m.create(mask), m.create(pos));
            int v = policy.config().vocabSize;
            float[] got = logits.toFloatArray();
            double maxDiff = 0;
            int compared = 0;
            for (int b = 0; b < ids.length; b++) {
                for (int t = 0; t < ids[b].length; t++) {
                    if (mask[b][t] == 0) {
                        continue; // transformers' logits at padding carry no meaning (the fixture stores 0)
                    }
                    JsonNode row = ref.get("logits").get(b).get(t);
                    for (int j = 0; j < v; j++) {
                        double d = Math.abs(got[(b * ids[b].length + t) * v + j] - row.get(j).asDouble());
                        maxDiff = Math.max(maxDiff, d);
                    }
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(20);
            assertThat(maxDiff).as("max |logit diff| for %s", name).isLessThan(1e-4);
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
