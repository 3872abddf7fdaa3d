package io.zerorl.cli;

import io.zerorl.cluster.ClusterConfig;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --master} and {@code --conf}: run rollouts on a Spark cluster's executors (a picocli mixin). */
final class ClusterOptions {
    @Option(names = "--master", description = "Spark master: local-cluster[N,CORES,MB] (N executor JVMs on this"
            + " machine, no Spark install needed), spark://HOST:7077, yarn, k8s://...; default: this process only.")
    String master;

    @Option(names = "--conf", description = "A Spark setting for the cluster, e.g. --conf"
            + " spark.executor.resource.gpu.amount=1 (repeatable).")
    List<String> conf = new ArrayList<>();

    @Option(names = "--chunk-prompts", description = "Prompts per task (default: an even share per executor).")
    Integer chunkPrompts;

    boolean enabled() {
        return master != null && !master.isBlank();
    }

    Map<String, String> confMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String c : conf) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new ZerorlException("--conf expects key=value (e.g. spark.executor.memory=4g), got '" + c + "'");
            }
            m.put(c.substring(0, eq).trim(), c.substring(eq + 1).trim());
        }
        return m;
    }

    /** These options over a recipe's cluster section (or the defaults). */
    ClusterConfig over(ClusterConfig base) {
        Map<String, String> merged = new LinkedHashMap<>(base.conf());
        merged.putAll(confMap());
        return new ClusterConfig(enabled() ? master : base.master(), chunkPrompts != null ? chunkPrompts
                : base.chunkPrompts(), merged, base.weightsDir());
    }

    /** PyTorch threads each executor uses: this process's setting. */
    static int threads() {
        return Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "1"));
    }
}
