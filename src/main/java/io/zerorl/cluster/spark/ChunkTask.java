package io.zerorl.cluster.spark;

import ai.djl.Device;
import io.zerorl.cluster.Chunk;
import io.zerorl.cluster.ChunkResult;
import io.zerorl.cluster.ModelSpec;
import io.zerorl.cluster.WeightsManifest;
import io.zerorl.cluster.Worker;
import io.zerorl.util.Json;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceInformation;

import java.lang.management.ManagementFactory;
import java.util.HashMap;

/**
 * A task on an executor: decodes its chunk, runs it on the executor's model ({@link Worker}) with the broadcast weight
 * version, on the GPU Spark assigned to the task if any, and returns the result as JSON.
 */
final class ChunkTask implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    /** Test hook: the index of a chunk whose first attempt fails (a lost task that Spark must retry). */
    static final String FAIL_FIRST_ATTEMPT = "spark.zerorl.test.failFirstAttemptOfChunk";
    static final String MANIFEST = "manifest.json";

    private final String model;
    private final Broadcast<HashMap<String, byte[]>> weights;

    ChunkTask(String model, Broadcast<HashMap<String, byte[]>> weights) {
        this.model = model;
        this.weights = weights;
    }

    @Override
    public String call(String json) throws Exception {
        TaskContext ctx = TaskContext.get();
        Chunk chunk = Json.MAPPER.readValue(json, Chunk.class);
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        SparkEnv env = SparkEnv.get();
        if (env != null && env.conf().getInt(FAIL_FIRST_ATTEMPT, -1) == chunk.index() && attempt == 0) {
            throw new IllegalStateException("injected failure of chunk " + chunk.index() + ", attempt 0 ("
                    + FAIL_FIRST_ATTEMPT + ")");
        }
        HashMap<String, byte[]> w = weights.value();
        WeightsManifest manifest = Json.MAPPER.readValue(w.get(MANIFEST), WeightsManifest.class);
        ModelSpec spec = Json.MAPPER.readValue(model, ModelSpec.class);
        Device device = null;
        if (ctx != null && !"cpu".equals(spec.device())) {
            ResourceInformation gpu = ctx.resourcesJMap().get("gpu");
            if (gpu != null && gpu.addresses().length > 0) {
                device = Device.gpu(Integer.parseInt(gpu.addresses()[0].trim()));
            }
        }
        String executor = (env == null ? "driver" : env.executorId()) + "@"
                + ManagementFactory.getRuntimeMXBean().getName();
        ChunkResult r = Worker.run(spec, manifest, w, chunk, device, executor, attempt);
        return Json.MAPPER.writeValueAsString(r);
    }
}
