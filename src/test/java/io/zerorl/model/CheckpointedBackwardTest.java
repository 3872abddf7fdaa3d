package io.zerorl.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.TestPaths;
import io.zerorl.optim.Grads;
import io.zerorl.tensor.LogProbs;
import io.zerorl.tensor.Masked;
import io.zerorl.tensor.Scalars;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Activation checkpointing gives the gradients of a plain backward (full weights, MoE load balancing, LoRA). */
class CheckpointedBackwardTest {
    static final long[][] IDS = {{57, 314, 280, 341, 338, 329, 18, 33}, {3, 7, 11, 200, 9, 41, 5, 2}};
    static final long[][] MASK = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1, 1}};

    /** Next-token log-likelihood over real tokens: a language-model loss with the same shape as GRPO's. */
    static Function<NDArray, NDArray> head(Policy p, NDManager m) {
        return hidden -> {
            NDArray logits = p.logits(hidden.get(new NDIndex(":, :-1, :")));
            NDArray targets = m.create(IDS).duplicate().get(new NDIndex(":, 1:"));
            NDArray mask = m.create(MASK).duplicate().get(new NDIndex(":, 1:")).toType(p.dataType(), false);
            return Masked.mean(LogProbs.gather(logits, targets), mask).neg();
        };
    }

    static Map<String, float[]> grads(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((n, t) -> out.put(n, t.getGradient().toType(DataType.FLOAT32, false).toFloatArray()));
        return out;
    }

    /** Plain backward of head + w * load-balancing loss, then the checkpointed one; both gradient sets. */
    static Map<String, float[]>[] both(Policy p, Map<String, NDArray> params, double auxWeight) {
        params.values().forEach(t -> t.setRequiresGradient(true));
        @SuppressWarnings("unchecked")
        Map<String, float[]>[] out = new Map[2];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(IDS).duplicate();
            NDArray mask = m.create(MASK).duplicate();
            NDArray pos = m.create(Policy.positionIds(MASK)).duplicate();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                RoutingStats routing = auxWeight > 0 ? new RoutingStats() : null;
                NDArray loss = head(p, m).apply(p.hidden(ids, mask, pos, null, routing));
                if (routing != null) {
                    NDArray lb = routing.loadBalancingLoss(m);
                    loss = loss.add(lb.mul(Scalars.like(lb, auxWeight)));
                }
                gc.backward(loss);
            }
            out[0] = grads(params);
            Grads.zero(params.values());
            CheckpointedBackward.Result r = p.backwardCheckpointed(ids, mask, pos, head(p, m), auxWeight, 1);
            assertThat(r.loss()).isPositive();
            assertThat(r.auxLoss() != null).isEqualTo(auxWeight > 0);
            out[1] = grads(params);
        }
        return out;
    }

    static void assertClose(Map<String, float[]>[] g) {
        assertThat(g[1].keySet()).containsExactlyElementsOf(g[0].keySet());
        double max = 0;
        String where = null;
        for (String n : g[0].keySet()) {
            float[] a = g[0].get(n);
            float[] b = g[1].get(n);
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                if (d > max) {
                    max = d;
                    where = n;
                }
            }
        }
        assertThat(max).as("largest difference, in " + where).isLessThan(1e-6);
    }

    @Test
    void fullWeightsOfAnMoeWithLoadBalancing() {
        try (Policy p = Policy.load(TestPaths.fixture("qwen3moe-tiny"), Device.cpu(), DataType.FLOAT32)) {
            Map<String, float[]>[] g = both(p, p.trainableParameters(false), 0.01);
            assertClose(g);
            assertThat(g[0].get("model.embed_tokens.weight")).isNotEqualTo(new float[g[0].get("model.embed_tokens.weight").length]);
        }
    }

    @Test
    void deepseekMlaWithSharedExperts() {
        try (Policy p = Policy.load(TestPaths.fixture("deepseekv3-tiny"), Device.cpu(), DataType.FLOAT32)) {
            assertClose(both(p, p.trainableParameters(true), 0));
        }
    }

    @Test
    void loraAdaptersOnly() {
        try (Policy p = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            p.attach(LoraTest.random(p, LoraConfig.of(4, 8), 3));
            Map<String, float[]>[] g = both(p, p.adapters().parameters(), 0);
            assertClose(g);
            assertThat(p.parameters().get("model.embed_tokens.weight").hasGradient()).isFalse();
        }
    }
}
