package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.optim.AdamW;
import io.zerorl.optim.DynamicLossScaler;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training checkpoints under {@code <run>/checkpoints/step-NNNNNN/}: {@code model.safetensors} (float32, HF
 * names; with config.json and the tokenizer files the directory is itself a loadable model), or with LoRA only the
 * adapter ({@code adapter_config.json} + {@code adapter_model.safetensors}, PEFT's layout, for the run's base model),
 * {@code optimizer.safetensors} (AdamW moments, fp32 masters, step), {@code ref_model.safetensors} when a
 * synced reference model exists, and {@code trainer_state.json} (step, data cursor, seed, loss scale). Each is
 * written into {@code .tmp-step-NNNNNN} and renamed in one atomic move; only the last {@code keep} are kept.
 */
public final class RunCheckpoints {
    public static final String STATE_FILE = "trainer_state.json";
    public static final String REF_FILE = "ref_model.safetensors";
    private static final String PREFIX = "step-";

    /** What trainer_state.json restores beyond tensors. */
    public record State(int step, long cursor) {}

    private final Path root;
    private final int keep;

    public RunCheckpoints(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    /** The newest complete checkpoint directory, or null. */
    public Path latest() {
        List<Path> all = list();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Complete checkpoints, oldest first (temporary directories are not listed). */
    public List<Path> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path save(int step, Policy policy, Policy ref, AdamW optimizer, Map<String, Object> state, Path modelDir) {
        String name = String.format("%s%06d", PREFIX, step);
        Path dir = root.resolve(name);
        Path tmp = root.resolve(".tmp-" + name);
        try {
            Files.createDirectories(root);
            HfExport.deleteTree(tmp);
            Files.createDirectories(tmp);
            WriteOptions f32 = WriteOptions.defaults();
            boolean lora = policy.adapters() != null;
            if (lora) {
                // the frozen base is the run's model; the checkpoint is the adapter, in PEFT's layout
                PeftAdapter.write(tmp, policy.adapters(), policy.config(), modelDir.toString());
            } else {
                SafetensorsWriter.write(tmp, "model", entries(policy), f32);
            }
            if (ref != null) {
                SafetensorsWriter.write(tmp, "ref_model", entries(ref), f32);
            }
            try (NDManager m = NDManager.newBaseManager()) {
                List<TensorEntry> opt = new ArrayList<>();
                for (var e : optimizer.state(m).entrySet()) {
                    opt.add(entry(e.getKey(), e.getValue()));
                }
                SafetensorsWriter.write(tmp, "optimizer", opt, f32);
            }
            if (!lora) {
                Files.copy(modelDir.resolve("config.json"), tmp.resolve("config.json"));
                HfExport.copyTokenizer(modelDir, tmp);
            }
            Files.write(tmp.resolve(STATE_FILE), Json.PRETTY.writeValueAsBytes(state));
            HfExport.deleteTree(dir);
            Files2.moveAtomically(tmp, dir);
            prune();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        } finally {
            try {
                HfExport.deleteTree(tmp);
            } catch (IOException ignored) {
                // removed by the next save
            }
        }
    }

    private void prune() throws IOException {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            HfExport.deleteTree(all.get(i));
        }
    }

    /** Restores optimizer and loss-scaler state; returns step and data cursor. */
    public static State loadState(Path dir, AdamW optimizer, DynamicLossScaler scaler) {
        var st = Json.readTree(dir.resolve(STATE_FILE));
        try (NDManager m = NDManager.newBaseManager(); Checkpoint ck = Checkpoint.open(dir.resolve("optimizer.safetensors"))) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (String name : ck.names()) {
                long[] shape = ck.info(name).shape();
                try (NDArray view = m.create(ck.readFloats(name), new Shape(shape))) {
                    state.put(name, view.duplicate());
                }
            }
            optimizer.load(state);
        }
        if (scaler != null && st.has("loss_scale")) {
            scaler.load(new DynamicLossScaler.State(st.get("loss_scale").asDouble(), st.get("loss_scale_good_steps").asInt()));
        }
        if (optimizer.stepCount() != st.get("optimizer_steps").asLong()) {
            throw new ZerorlException("checkpoint " + dir + " is inconsistent: optimizer at step " + optimizer.stepCount()
                    + ", trainer_state says " + st.get("optimizer_steps"));
        }
        return new State(st.get("step").asInt(), st.get("cursor").asLong());
    }

    static Policy loadRef(Path dir, ModelConfig config, Device device, DataType dtype) {
        try (Checkpoint ck = Checkpoint.open(dir.resolve(REF_FILE))) {
            return Policy.load(config, ck, device, dtype);
        }
    }

    /** Float32 entries streaming each parameter of a policy (one tensor copied to the heap at a time). */
    public static List<TensorEntry> entries(Policy policy) {
        List<TensorEntry> out = new ArrayList<>();
        policy.parameters().forEach((name, p) -> out.add(entry(name, p)));
        return out;
    }

    static TensorEntry entry(String name, NDArray p) {
        return TensorEntry.float32(name, p.getShape().getShape(), sink -> {
            float[] v;
            try (NDArray f = p.stopGradient(); NDArray c = f.toType(DataType.FLOAT32, true)) {
                v = c.toFloatArray();
            }
            TensorData.ofFloats(v).emit(sink);
        });
    }
}
