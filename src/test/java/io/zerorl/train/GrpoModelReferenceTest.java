package io.zerorl.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.Fixtures;
import io.zerorl.TestPaths;
import io.zerorl.algo.GrpoLoss;
import io.zerorl.algo.GrpoLossConfig;
import io.zerorl.algo.LossInputs;
import io.zerorl.algo.LossNormalizer;
import io.zerorl.algo.LossResult;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.NoGrad;
import io.zerorl.model.Policy;
import io.zerorl.optim.Grads;
import io.zerorl.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * qwen3moe-tiny/grpo_reference.json with the real model: policy log-probs from a forward pass of model.safetensors,
 * reference log-probs from ref_model.safetensors, then loss and per-parameter gradient norms of all 16 cases.
 * transformers 5 stores experts fused ({@code experts.gate_up_proj} (E, 2I, H), {@code experts.down_proj}); their
 * norms are compared with the norm over our per-expert tensors.
 */
class GrpoModelReferenceTest {
    static final Path DIR = TestPaths.fixture("qwen3moe-tiny");
    static final JsonNode REF = Json.readTree(DIR.resolve("grpo_reference.json"));
    static final Pattern FUSED = Pattern.compile("model\\.layers\\.(\\d+)\\.mlp\\.experts\\.(gate_up_proj|down_proj)");
    static Policy policy;
    static Policy ref;

    @BeforeAll
    static void load() {
        policy = Policy.load(DIR, Device.cpu(), DataType.FLOAT32);
        ModelConfig cfg = Architectures.parse(HfConfig.read(DIR));
        try (Checkpoint ck = Checkpoint.open(DIR.resolve("ref_model.safetensors"))) {
            ref = Policy.load(cfg, ck, Device.cpu(), DataType.FLOAT32);
        }
        policy.parameters().values().forEach(p -> p.setRequiresGradient(true));
    }

    @AfterAll
    static void close() {
        policy.close();
        ref.close();
    }

    static long[][] longs(String key) {
        return Fixtures.longs(REF.get(key));
    }

    static float[][] floats(String key) {
        JsonNode n = REF.get(key);
        float[][] out = new float[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            out[i] = new float[n.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) n.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    static NDArray nd(NDManager m, float[][] x) {
        int b = x.length, t = x[0].length;
        float[] f = new float[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(x[i], 0, f, i * t, t);
        }
        return m.create(f, new Shape(b, t)).duplicate();
    }

    @Test
    void lossAndPerParameterGradientNormsOfAll16Cases() {
        float[][] mask = floats("completion_mask");
        int maxLen = REF.get("max_completion_length").asInt();
        int checked = 0;
        for (JsonNode c : REF.get("cases")) {
            String label = c.get("loss_type").asText() + " beta=" + c.get("beta").asDouble() + " scaled=" + c.get("scale_rewards").asBoolean();
            GrpoLossConfig cfg = new GrpoLossConfig(REF.get("epsilon_low").asDouble(), REF.get("epsilon_high").asDouble(),
                    c.get("beta").asDouble(), "k3", c.get("loss_type").asText(), "vanilla");
            String advKey = c.get("scale_rewards").asBoolean() ? "advantages_scaled" : "advantages_unscaled";
            float[] adv = new float[REF.get(advKey).size()];
            for (int i = 0; i < adv.length; i++) {
                adv[i] = (float) REF.get(advKey).get(i).asDouble();
            }
            try (NDManager m = NDManager.newBaseManager()) {
                SequenceBatch.Tensors t = SequenceBatch.fromLayout(m, longs("input_ids"), longs("attention_mask"),
                        longs("position_ids"), mask, REF.get("prompt_length").asInt());
                NDArray refLogp;
                try (NoGrad ng = new NoGrad()) {
                    refLogp = TokenLogProbs.compute(ref, t, 1.0, null).logp();
                }
                assertClose(refLogp.toFloatArray(), floats("ref_logprobs"), mask, "ref log-probs");
                LossResult r;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    Grads.zero(policy.parameters().values());
                    NDArray logp = TokenLogProbs.compute(policy, t, 1.0, null).logp();
                    assertClose(logp.toFloatArray(), floats("policy_logprobs"), mask, "policy log-probs");
                    r = new GrpoLoss(cfg).compute(LossInputs.of(logp, nd(m, floats("old_logprobs")), refLogp,
                            m.create(adv).duplicate(), t.completionMask()), LossNormalizer.of(t.completionMask(), maxLen));
                    gc.backward(r.loss());
                }
                double loss = c.get("loss").asDouble();
                assertThat((double) r.loss().getFloat()).as(label + " loss").isCloseTo(loss, within(1e-4 * Math.abs(loss)));

                Map<String, Double> norms = normsInReferenceLayout();
                double total = 0;
                for (var e : c.get("grad_norms").properties()) {
                    double want = e.getValue().asDouble();
                    Double got = norms.get(e.getKey());
                    assertThat(got).as(label + " has " + e.getKey()).isNotNull();
                    assertThat(got).as(label + " grad norm of " + e.getKey()).isCloseTo(want, within(1e-4 * want + 1e-9));
                    total += got * got;
                    checked++;
                }
                double wantTotal = c.get("grad_norm_total").asDouble();
                assertThat(Math.sqrt(total)).as(label + " total").isCloseTo(wantTotal, within(1e-4 * wantTotal));
                assertThat(Grads.globalNorm(policy.parameters().values())).isCloseTo(wantTotal, within(1e-4 * wantTotal));
            }
        }
        Grads.zero(policy.parameters().values());
        assertThat(checked).isEqualTo(16 * 25);
    }

    /** Per-parameter gradient norms, with per-expert tensors folded into transformers 5's fused names. */
    static Map<String, Double> normsInReferenceLayout() {
        Map<String, Double> sq = new LinkedHashMap<>();
        policy.parameters().forEach((name, p) -> {
            try (NDArray g = p.getGradient(); NDArray s = g.toType(DataType.FLOAT64, false).square().sum()) {
                double v = s.getDouble();
                String key = name;
                Matcher em = Pattern.compile("model\\.layers\\.(\\d+)\\.mlp\\.experts\\.\\d+\\.(gate_proj|up_proj|down_proj)\\.weight").matcher(name);
                if (em.matches()) {
                    key = "model.layers." + em.group(1) + ".mlp.experts." + (em.group(2).equals("down_proj") ? "down_proj" : "gate_up_proj");
                }
                sq.merge(key, v, Double::sum);
            }
        });
        Map<String, Double> out = new LinkedHashMap<>();
        sq.forEach((k, v) -> out.put(k, Math.sqrt(v)));
        return out;
    }

    static void assertClose(float[] got, float[][] want, float[][] mask, String what) {
        int t = want[0].length;
        for (int i = 0; i < want.length; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i][j] != 0) {
                    assertThat((double) got[i * t + j]).as("%s [%d][%d]", what, i, j).isCloseTo(want[i][j], within(1e-4));
                }
            }
        }
    }
}
