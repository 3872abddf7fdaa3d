package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.tokenizer.Tokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

class GradFlowBench {
    @Test
    void whichParametersMove(@TempDir Path dir) {
        Assumptions.assumeTrue(Boolean.getBoolean("zerorl.bench"));
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir);
             Policy p = Policy.init(BaseModel.config(), 1, Device.cpu(), DataType.FLOAT32)) {
            Map<String, float[]> before = new HashMap<>();
            p.parameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            Pretrainer.train(p, PretrainConfig.defaults().withSteps(3).withBatch(8, 48), tok::encode, 0, x -> {});
            p.parameters().forEach((k, v) -> {
                float[] a = before.get(k);
                float[] b = v.toFloatArray();
                double d = 0;
                for (int i = 0; i < a.length; i++) {
                    d = Math.max(d, Math.abs(a[i] - b[i]));
                }
                System.out.printf("GRAD %-60s maxdelta %.2e%n", k, d);
            });
        }
    }
}
