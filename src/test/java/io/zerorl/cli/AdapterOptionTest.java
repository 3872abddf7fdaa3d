package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.model.LoraConfig;
import io.zerorl.model.LoraTest;
import io.zerorl.model.NoGrad;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --adapter DIR} applies a PEFT adapter on top of the model, the same way on every model command. */
class AdapterOptionTest {
    @Test
    void forwardWithAnAdapterComputesTheAdaptedModel(@TempDir Path tmp) throws Exception {
        Path model = TestPaths.fixture("qwen2-tiny");
        Path adapter = tmp.resolve("adapter");
        float[] expected;
        long[][] ids = {{5, 9, 77, 3}};
        try (Policy p = Policy.load(model, Device.cpu(), DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
             NoGrad ng = new NoGrad()) {
            p.attach(LoraTest.random(p, LoraConfig.of(2, 4), 21));
            PeftAdapter.write(adapter, p.adapters(), p.config(), model.toString());
            long[][] mask = {{1, 1, 1, 1}};
            expected = p.forward(m.create(ids), m.create(mask), m.create(Policy.positionIds(mask))).toFloatArray();
        }
        Path in = tmp.resolve("ids.json");
        Files.writeString(in, "{\"input_ids\": [[5, 9, 77, 3]]}");
        Path out = tmp.resolve("logits.json");
        CliRun.Result r = CliRun.run("forward", "--model", model.toString(), "--adapter", adapter.toString(),
                "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode logits = Json.readTree(out).get("logits").get(0);
        int v = logits.get(0).size();
        for (int t = 0; t < 4; t++) {
            for (int j = 0; j < v; j++) {
                assertThat(logits.get(t).get(j).floatValue()).isCloseTo(expected[t * v + j],
                        org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
        CliRun.Result bad = CliRun.run("forward", "--model", model.toString(), "--adapter", tmp.toString(),
                "--input", in.toString(), "--output", out.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("is not a PEFT adapter folder");
    }
}
