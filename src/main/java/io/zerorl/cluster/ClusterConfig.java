package io.zerorl.cluster;

import io.zerorl.util.InvalidSetting;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where rollouts, rewards and evaluation run: in this process (no master, the default), or on the executors of an
 * Apache Spark cluster. It is the recipe's {@code cluster:} section and what {@code --master} sets.
 *
 * @param master       Spark master URL: {@code local-cluster[N,cores,memoryMB]} (N executor JVMs on this machine,
 *                     from the jars zerorl ships), {@code spark://host:7077}, {@code yarn}, {@code k8s://...}; null or
 *                     empty runs everything in this process and loads no Spark class
 * @param chunkPrompts prompts per task; 0 spreads a step's prompts evenly over the executors (one task each)
 * @param conf         extra Spark settings ({@code spark.executor.memory}, {@code spark.executor.resource.gpu.amount},
 *                     ...), applied over zerorl's own
 * @param weightsDir   where the learner writes full weights for the executors (a folder every node can read);
 *                     null: {@code output_dir/cluster-weights}. LoRA adapters are broadcast instead
 */
public record ClusterConfig(String master, int chunkPrompts, Map<String, String> conf, String weightsDir) {
    public ClusterConfig {
        InvalidSetting.require(chunkPrompts >= 0, "chunk_prompts", "must be >= 0 (0 = one task per executor), got "
                + chunkPrompts);
        conf = conf == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(conf));
        for (String k : conf.keySet()) {
            InvalidSetting.require(k.startsWith("spark."), "conf", "keys are Spark settings and start with 'spark.',"
                    + " got '" + k + "'");
        }
        master = master == null || master.isBlank() ? null : master.trim();
    }

    /** In-process: no master. */
    public static ClusterConfig defaults() {
        return new ClusterConfig(null, 0, Map.of(), null);
    }

    public boolean enabled() {
        return master != null;
    }

    public ClusterConfig withMaster(String m) {
        return new ClusterConfig(m, chunkPrompts, conf, weightsDir);
    }
}
