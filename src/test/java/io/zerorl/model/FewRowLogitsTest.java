package io.zerorl.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.zerorl.train.BenchModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vocabulary projection of 1-4 rows against a large vocabulary (no gradients, CPU) goes through the transposed
 * product; it must give the plain projection's logits, in the plain projection's shape and layout.
 */
class FewRowLogitsTest {
    @Test
    void fewRowsAgainstALargeVocabularyGiveThePlainProjectionsLogits(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("config.json");
        Files.writeString(config, """
                {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 40000, "hidden_size": 64,
                 "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
                 "tie_word_embeddings": false, "torch_dtype": "float32"}
                """);
        BenchModelWriter.main(new String[] {config.toString(), tmp.resolve("model").toString()});
        try (Policy policy = Policy.load(tmp.resolve("model"), Device.cpu(), DataType.FLOAT32);
             NDManager m = policy.manager().newSubManager()) {
            for (int rows = 1; rows <= 6; rows++) {
                NDArray h = m.randomNormal(new Shape(rows, 64));
                float[] plain;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    plain = policy.logits(h).toFloatArray(); // grad mode: the plain projection
                }
                NDArray fast;
                try (NoGrad ng = new NoGrad()) {
                    fast = policy.logits(h);
                }
                assertThat(fast.getShape()).isEqualTo(new Shape(rows, 40000));
                assertThat(fast.getManager()).as("not left in the parameters' manager").isSameAs(m);
                float[] got = fast.toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    assertThat(Math.abs(got[i] - plain[i])).as("rows %d, logit %d", rows, i)
                            .isLessThanOrEqualTo(1e-5f * Math.max(1f, Math.abs(plain[i])));
                }
                // the layout the host sampler reads: row-major (rows, V)
                assertThat(got[40000 * (rows - 1) + 7]).isEqualTo(fast.get(rows - 1, 7).getFloat());
            }
        }
    }
}
