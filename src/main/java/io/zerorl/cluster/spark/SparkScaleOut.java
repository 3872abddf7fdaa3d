package io.zerorl.cluster.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.zerorl.cluster.Chunk;
import io.zerorl.cluster.ChunkResult;
import io.zerorl.cluster.ClusterConfig;
import io.zerorl.cluster.ModelSpec;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.cluster.WeightsManifest;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ScaleOut} on Apache Spark: the driver (this process, the learner) submits one task per chunk; executors are
 * long-lived JVMs that keep their model between tasks; the weight version travels as a broadcast (a manifest, plus the
 * adapter's bytes with LoRA). Failed tasks are retried by Spark ({@code spark.task.maxFailures}, 4 by default); a
 * retried chunk is sampled from the same seeds, so its output is the same.
 */
public final class SparkScaleOut extends ScaleOut {
    private static final long EXECUTOR_WAIT_MS = 180_000;

    private final ClusterConfig config;
    private final JavaSparkContext sc;
    private final String model;
    private Broadcast<HashMap<String, byte[]>> weights;

    private SparkScaleOut(ClusterConfig config, ModelSpec model, String appName, int threads) {
        this.config = config;
        SparkConf conf = SparkSetup.conf(config, appName, threads);
        try {
            this.model = Json.MAPPER.writeValueAsString(model);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        this.sc = new JavaSparkContext(conf);
        try {
            waitForExecutors(SparkSetup.expectedExecutors(config, conf));
            publish(WeightsManifest.base(), Map.of());
        } catch (RuntimeException e) {
            sc.stop();
            throw e;
        }
    }

    /** Called by {@link ScaleOut#open} (by name, so that nothing else loads Spark). */
    public static ScaleOut start(ClusterConfig config, ModelSpec model, String appName, int threads) {
        return new SparkScaleOut(config, model, appName, threads);
    }

    private void waitForExecutors(int expected) {
        long deadline = System.currentTimeMillis() + EXECUTOR_WAIT_MS;
        while (executors() < expected) {
            if (System.currentTimeMillis() > deadline) {
                if (executors() > 0) {
                    return; // go on with those that came
                }
                throw new ZerorlException("no executor registered with " + config.master() + " within "
                        + EXECUTOR_WAIT_MS / 1000 + " s: check the cluster's free cores and memory (spark.executor.*)");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZerorlException("interrupted while waiting for executors");
            }
        }
    }

    @Override
    protected List<ChunkResult> run(List<Chunk> chunks) {
        List<String> in = new ArrayList<>(chunks.size());
        try {
            for (Chunk c : chunks) {
                in.add(Json.MAPPER.writeValueAsString(c));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        List<String> out;
        try {
            out = sc.parallelize(in, in.size()).map(new ChunkTask(model, weights)).collect();
        } catch (RuntimeException e) {
            throw new ZerorlException("a task failed on the cluster (" + config.master() + ") after Spark's retries: "
                    + rootMessage(e), e);
        }
        List<ChunkResult> results = new ArrayList<>(out.size());
        try {
            for (String s : out) {
                results.add(Json.MAPPER.readValue(s, ChunkResult.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a task's result", e);
        }
        return results;
    }

    private static String rootMessage(Throwable e) {
        String msg = e.getMessage();
        // Spark's message holds the executor's exception text; keep its first lines
        if (msg == null) {
            return e.toString();
        }
        String[] lines = msg.split("\n");
        return String.join("\n", java.util.Arrays.copyOf(lines, Math.min(lines.length, 6)));
    }

    @Override
    public void publish(WeightsManifest manifest, Map<String, byte[]> adapterFiles) {
        HashMap<String, byte[]> value = new HashMap<>(adapterFiles);
        try {
            value.put(ChunkTask.MANIFEST, Json.MAPPER.writeValueAsBytes(manifest));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Broadcast<HashMap<String, byte[]>> old = weights;
        weights = sc.broadcast(value);
        if (old != null) {
            old.destroy();
        }
    }

    @Override
    public int executors() {
        return Math.max(0, sc.statusTracker().getExecutorInfos().length - 1); // the driver is listed too
    }

    @Override
    public String master() {
        return config.master();
    }

    @Override
    public ClusterConfig config() {
        return config;
    }

    @Override
    public void close() {
        sc.stop();
    }
}
