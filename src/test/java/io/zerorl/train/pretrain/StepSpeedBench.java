package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.Policy;
import io.zerorl.model.deepseek.DeepseekV3;
import io.zerorl.tensor.LogProbs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Timing of one forward+backward for candidate built-in sizes (-Dzerorl.bench=true). */
class StepSpeedBench {
    @Test
    void time() {
        Assumptions.assumeTrue(Boolean.getBoolean("zerorl.bench"));
        int b = Integer.getInteger("bench.b", 32);
        int t = Integer.getInteger("bench.t", 64);
        String[] specs = System.getProperty("bench.specs", "128,4,8,64;96,3,4,64;64,2,4,64").split(";");
        for (String s : specs) {
            String[] f = s.split(",");
            ObjectNode j = BaseModel.config(102, 0).hfJson.deepCopy();
            j.put("hidden_size", Integer.parseInt(f[0]));
            j.put("num_hidden_layers", Integer.parseInt(f[1]));
            j.put("n_routed_experts", Integer.parseInt(f[2]));
            j.put("moe_intermediate_size", Integer.parseInt(f[3]));
            j.put("intermediate_size", 2 * Integer.parseInt(f[0]));
            ModelConfig c = new DeepseekV3().fromHf(new HfConfig(j, "bench"));
            try (Policy p = Policy.init(c, 1, Device.cpu(), DataType.FLOAT32)) {
                p.parameters().values().forEach(x -> x.setRequiresGradient(true));
                long total = 0;
                long fwd = 0;
                for (int it = 0; it < 4; it++) {
                    try (NDScope scope = new NDScope(); NDManager m = p.manager().newSubManager()) {
                        NDArray ids = m.randomInteger(1, 100, new Shape(b, t), DataType.INT64);
                        NDArray pos = m.arange(0, t, 1, DataType.INT64).expandDims(0).repeat(0, b);
                        NDArray ones = m.ones(ids.getShape(), DataType.INT64);
                        long t0 = System.nanoTime();
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = p.forward(ids, ones, pos);
                            NDArray l = LogProbs.gather(logits, ids).mean().neg();
                            long t1 = System.nanoTime();
                            gc.backward(l);
                            l.getFloat();
                            if (it > 0) {
                                total += System.nanoTime() - t0;
                                fwd += t1 - t0;
                            }
                        }
                    }
                }
                System.out.printf("SPEED %s: step %.0f ms (fwd %.0f ms) for %dx%d%n", s, total / 3e6, fwd / 3e6, b, t);
            }
        }
    }
}
