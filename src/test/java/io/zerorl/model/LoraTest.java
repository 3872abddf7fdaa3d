package io.zerorl.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LoRA adapters on the tiny fixtures: exactness at B = 0, the merged model, gradients, PEFT's files. */
public class LoraTest {
    @TempDir
    Path tmp;

    static final long[][] IDS = {{57, 314, 280, 341, 338, 329, 18, 33}, {3, 7, 11, 200, 9, 41, 5, 2}};
    static final long[][] MASK = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1, 1}};

    public static float[] logits(Policy p) {
        try (NDManager m = NDManager.newBaseManager(); NoGrad ng = new NoGrad()) {
            return p.forward(m.create(IDS), m.create(MASK), m.create(Policy.positionIds(MASK))).toFloatArray();
        }
    }

    /** Adapters with random A and B (B nonzero, unlike fresh ones). */
    public static LoraAdapters random(Policy p, LoraConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[][]> v = new LinkedHashMap<>();
        LoraAdapters.targets(p.config(), cfg).forEach((module, shape) -> {
            float[] a = new float[Math.toIntExact(cfg.r() * shape[1])];
            float[] b = new float[Math.toIntExact(shape[0] * cfg.r())];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (0.2 * rng.nextGaussian());
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.2 * rng.nextGaussian());
            }
            v.put(module, new float[][] {a, b});
        });
        return LoraAdapters.of(p, cfg, v);
    }

    @Test
    void freshAdaptersComputeExactlyTheBaseModelAndSwitchOff() {
        for (String fixture : List.of("qwen2-tiny", "qwen3moe-tiny", "deepseekv3-tiny", "mixtral-tiny")) {
            try (Policy p = Policy.load(TestPaths.fixture(fixture), Device.cpu(), DataType.FLOAT32)) {
                float[] base = logits(p);
                LoraConfig cfg = new LoraConfig(4, 8, 0, fixture.equals("mixtral-tiny")
                        ? List.of("q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3")
                        : fixture.startsWith("deepseek") ? List.of("q_proj", "q_a_proj", "q_b_proj", "kv_a_proj_with_mqa",
                                "kv_b_proj", "o_proj", "gate_proj", "up_proj", "down_proj") : LoraConfig.DEFAULT_TARGETS,
                        false, true, null);
                p.attach(LoraAdapters.init(p, cfg, 1));
                assertThat(logits(p)).as(fixture).containsExactly(base);
                assertThat(p.adapters().size()).isPositive();
            }
        }
        try (Policy p = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            float[] base = logits(p);
            p.attach(random(p, LoraConfig.of(4, 8), 3));
            assertThat(logits(p)).isNotEqualTo(base);
            try (Policy.AdaptersOff off = p.adaptersOff()) {
                assertThat(logits(p)).containsExactly(base);
            }
            assertThat(logits(p)).isNotEqualTo(base);
        }
    }

    @Test
    void routedExpertsOnlyWhenAskedAndSharedExpertsAlways() {
        ModelConfig moe = Architectures.parse(io.zerorl.checkpoint.HfConfig.read(TestPaths.fixture("deepseekv3-tiny")));
        LoraConfig mlp = new LoraConfig(2, 4, 0, List.of("gate_proj"), false, false, null);
        assertThat(LoraAdapters.targets(moe, mlp).keySet()).allSatisfy(m -> assertThat(m).doesNotContain(".experts."))
                .anySatisfy(m -> assertThat(m).contains("shared_experts.gate_proj"))
                .anySatisfy(m -> assertThat(m).contains("layers.0.mlp.gate_proj"));
        LoraConfig all = new LoraConfig(2, 4, 0, List.of("gate_proj"), false, true, null);
        assertThat(LoraAdapters.targets(moe, all).keySet()).anySatisfy(m -> assertThat(m).contains(".experts.0.gate_proj"));
        assertThatThrownBy(() -> LoraAdapters.targets(moe, new LoraConfig(2, 4, 0, List.of("qkv"), false, false, null)))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("match no projection")
                .hasMessageContaining("kv_b_proj");
    }

    @Test
    void aRandomAdapterGivesTheLogitsOfTheMergedCheckpoint() throws Exception {
        Path base = TestPaths.fixture("qwen3moe-tiny");
        LoraConfig cfg = new LoraConfig(4, 16, 0, LoraConfig.DEFAULT_TARGETS, true, true, null);
        float[] adapted;
        Path merged = tmp.resolve("merged");
        try (Policy p = Policy.load(base, Device.cpu(), DataType.FLOAT32)) {
            p.attach(random(p, cfg, 5));
            adapted = logits(p);
            List<io.zerorl.checkpoint.TensorEntry> entries = new java.util.ArrayList<>();
            for (var e : p.parameters().entrySet()) {
                String name = e.getKey();
                float[] m = name.endsWith(".weight") ? p.adapters().merged(WeightNames.module(name), e.getValue()) : null;
                float[] v = m != null ? m : e.getValue().toFloatArray();
                entries.add(io.zerorl.checkpoint.TensorEntry.float32(name, e.getValue().getShape().getShape(),
                        io.zerorl.checkpoint.TensorData.ofFloats(v)));
            }
            Files.createDirectories(merged);
            Files.copy(base.resolve("config.json"), merged.resolve("config.json"));
            io.zerorl.checkpoint.SafetensorsWriter.write(merged, "model", entries,
                    io.zerorl.checkpoint.WriteOptions.defaults());
        }
        try (Policy m = Policy.load(merged, Device.cpu(), DataType.FLOAT32)) {
            float[] direct = logits(m);
            double max = 0;
            for (int i = 0; i < direct.length; i++) {
                max = Math.max(max, Math.abs(direct[i] - adapted[i]));
            }
            assertThat(max).isLessThan(1e-5);
        }
    }

    /** In float64, where a finite difference is exact enough to check a gradient to 1e-6. */
    @Test
    void adapterGradientsMatchCentralFiniteDifferences() {
        try (Policy p = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT64);
             NDManager m = NDManager.newBaseManager()) {
            p.attach(random(p, LoraConfig.of(2, 4), 9));
            Map<String, NDArray> params = p.adapters().parameters();
            params.values().forEach(t -> t.setRequiresGradient(true));
            double[] weights = new double[IDS.length * IDS[0].length * p.config().vocabSize];
            SplittableRandom rng = new SplittableRandom(2);
            int v = p.config().vocabSize;
            for (int i = 0; i < weights.length; i++) {
                // no weight on padded positions, as in every training loss: a fully masked attention row's scores
                // are swallowed by the -1e30 bias, so autograd's gradient through them is one no finite
                // difference can see (and one that real losses multiply by zero)
                int row = i / (IDS[0].length * v);
                int pos = i / v % IDS[0].length;
                weights[i] = MASK[row][pos] == 0 ? 0 : rng.nextGaussian();
            }
            NDArray w;
            try (NDArray view = m.create(weights)) {
                w = view.duplicate();
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(forward(p, m).reshape(-1).mul(w).sum());
            }
            int checked = 0;
            for (String name : List.of(LoraAdapters.peftName("model.layers.0.self_attn.q_proj", "A"),
                    LoraAdapters.peftName("model.layers.1.mlp.down_proj", "B"))) {
                NDArray t = params.get(name);
                double[] grad = t.getGradient().toDoubleArray();
                for (int idx : new int[] {0, 5, grad.length - 1}) {
                    double h = 1e-4;
                    double fd = (perturbed(p, m, t, idx, h, w) - perturbed(p, m, t, idx, -h, w)) / (2 * h);
                    assertThat(grad[idx]).as(name + "[" + idx + "]").isCloseTo(fd,
                            org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(fd))));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(6);
        }
    }

    private static NDArray forward(Policy p, NDManager m) {
        return p.forward(m.create(IDS).duplicate(), m.create(MASK).duplicate(),
                m.create(Policy.positionIds(MASK)).duplicate());
    }

    /** The loss with one adapter entry moved by {@code h}. */
    private static double perturbed(Policy p, NDManager m, NDArray t, int idx, double h, NDArray w) {
        long[] shape = t.getShape().getShape();
        NDIndex at = new NDIndex(idx / shape[1] + ", " + idx % shape[1]);
        try (NoGrad ng = new NoGrad(); NDManager s = m.newSubManager()) {
            NDArray old = t.get(at).duplicate();
            old.attach(s);
            NDArray moved = old.add(s.full(new ai.djl.ndarray.types.Shape(), 1f, DataType.FLOAT64).mul(h));
            t.set(at, moved);
            NDArray loss = forward(p, s).reshape(-1).mul(w).sum();
            double v = loss.getDouble();
            t.set(at, old);
            return v;
        }
    }

    @Test
    void peftFilesRoundTripAndReadWhatPeftWrites() throws Exception {
        Path dir = tmp.resolve("adapter");
        LoraConfig cfg = new LoraConfig(4, 8, 0.05, List.of("q_proj", "v_proj", "gate_proj"), false, false, null);
        float[] adapted;
        try (Policy p = Policy.load(TestPaths.fixture("qwen3moe-tiny"), Device.cpu(), DataType.FLOAT32)) {
            p.attach(random(p, cfg, 11));
            adapted = logits(p);
            PeftAdapter.write(dir, p.adapters(), p.config(), "qwen3moe-tiny");
        }
        var json = Json.readTree(dir.resolve(PeftAdapter.CONFIG));
        assertThat(json.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(json.get("r").asInt()).isEqualTo(4);
        assertThat(json.get("lora_alpha").asDouble()).isEqualTo(8.0);
        // qwen3moe's experts have gate_proj too: left out, so the targets are a pattern that excludes them
        assertThat(json.get("target_modules").asText()).isEqualTo("(?!.*\\.experts\\.).*\\.(q_proj|v_proj|gate_proj)");
        try (Checkpoint ck = Checkpoint.open(dir.resolve(PeftAdapter.WEIGHTS))) {
            assertThat(ck.names()).contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");
        }
        try (Policy p = Policy.load(TestPaths.fixture("qwen3moe-tiny"), Device.cpu(), DataType.FLOAT32)) {
            LoraAdapters read = PeftAdapter.read(dir, p);
            assertThat(read.config().r()).isEqualTo(4);
            assertThat(read.config().dropout()).isEqualTo(0.05);
            assertThat(read.modules()).allSatisfy(mod -> assertThat(mod).doesNotContain(".experts."));
            p.attach(read);
            assertThat(logits(p)).containsExactly(adapted);
        }
        // a PEFT-written folder: a list of targets, tensors named with the adapter name, bf16-free fp32
        Path peft = tmp.resolve("peft");
        Files.createDirectories(peft);
        Files.writeString(peft.resolve(PeftAdapter.CONFIG), """
                {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 2, "lora_alpha": 4, "lora_dropout": 0.0,
                 "target_modules": ["o_proj", "q_proj"], "bias": "none", "fan_in_fan_out": false,
                 "modules_to_save": null, "base_model_name_or_path": "qwen2-tiny", "rank_pattern": {}, "alpha_pattern": {}}
                """);
        try (Policy p = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            LoraConfig two = new LoraConfig(2, 4, 0, List.of("o_proj", "q_proj"), false, false, null);
            LoraAdapters r = random(p, two, 4);
            List<io.zerorl.checkpoint.TensorEntry> entries = new java.util.ArrayList<>();
            r.adapters().forEach((module, a) -> {
                entries.add(io.zerorl.checkpoint.TensorEntry.float32("base_model.model." + module + ".lora_A.default.weight",
                        a.a().getShape().getShape(), io.zerorl.checkpoint.TensorData.ofFloats(a.a().toFloatArray())));
                entries.add(io.zerorl.checkpoint.TensorEntry.float32("base_model.model." + module + ".lora_B.default.weight",
                        a.b().getShape().getShape(), io.zerorl.checkpoint.TensorData.ofFloats(a.b().toFloatArray())));
            });
            io.zerorl.checkpoint.SafetensorsWriter.write(peft, "adapter_model", entries,
                    io.zerorl.checkpoint.WriteOptions.defaults());
            p.attach(r);
            float[] expected = logits(p);
            try (Policy q = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
                q.attach(PeftAdapter.read(peft, q));
                assertThat(logits(q)).containsExactly(expected);
            }
        }
    }

    @Test
    void whatThisLoraDoesNotImplementIsRefusedWithTheReason() throws Exception {
        try (Policy p = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            Path dir = tmp.resolve("a");
            PeftAdapter.write(dir, LoraAdapters.init(p, LoraConfig.of(2, 4), 1), p.config(), "x");
            String json = Files.readString(dir.resolve(PeftAdapter.CONFIG));
            Files.writeString(dir.resolve(PeftAdapter.CONFIG), json.replace("\"bias\" : \"none\"", "\"bias\" : \"all\""));
            assertThatThrownBy(() -> PeftAdapter.read(dir, p)).hasMessageContaining("bias 'all' is not supported");
            Files.writeString(dir.resolve(PeftAdapter.CONFIG), json.replace("\"peft_type\" : \"LORA\"", "\"peft_type\" : \"LORA\", \"use_dora\" : true"));
            assertThatThrownBy(() -> PeftAdapter.read(dir, p)).hasMessageContaining("DoRA is not supported");
            Files.writeString(dir.resolve(PeftAdapter.CONFIG), json);
            try (Policy other = Policy.load(TestPaths.fixture("deepseekv3-tiny"), Device.cpu(), DataType.FLOAT32)) {
                assertThatThrownBy(() -> PeftAdapter.read(dir, other)).isInstanceOf(ZerorlException.class)
                        .hasMessageContaining("not a projection of this deepseek_v3 model");
            }
            assertThatThrownBy(() -> PeftAdapter.read(tmp, p)).hasMessageContaining("is not a PEFT adapter folder");
        }
    }
}
