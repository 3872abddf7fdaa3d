package io.zerorl.recipe;

import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The recipe's cluster section: no master by default; Spark's own dotted keys under conf, from YAML and --set. */
class RecipeClusterSectionTest {
    @Test
    void defaultsRunInProcess() {
        Recipe r = RecipeLoader.fromOverrides(List.of());
        assertThat(r.cluster().enabled()).isFalse();
        assertThat(r.cluster().conf()).isEmpty();
    }

    @Test
    void sparkSettingsFromYamlAndSet(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("r.yaml"), """
                cluster:
                  master: local-cluster[2,1,1024]
                  chunk_prompts: 4
                  conf:
                    spark.executor.memory: 2g
                    spark.task.maxFailures: 2
                """);
        Recipe r = RecipeLoader.load(f, List.of("cluster.conf.spark.executor.cores=1"));
        assertThat(r.cluster().master()).isEqualTo("local-cluster[2,1,1024]");
        assertThat(r.cluster().chunkPrompts()).isEqualTo(4);
        assertThat(r.cluster().conf()).isEqualTo(Map.of("spark.executor.memory", "2g", "spark.task.maxFailures", "2",
                "spark.executor.cores", "1"));
        // what train writes to the run directory reads back the same
        Recipe again = RecipeLoader.load(Files.writeString(tmp.resolve("again.yaml"), RecipeLoader.toYaml(r)), List.of());
        assertThat(again.cluster()).isEqualTo(r.cluster());
    }

    @Test
    void badSettingsNameTheKey() {
        assertThatThrownBy(() -> RecipeLoader.fromOverrides(List.of("cluster.conf.executor.memory=2g")))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("cluster.conf")
                .hasMessageContaining("start with 'spark.'");
        assertThatThrownBy(() -> RecipeLoader.fromOverrides(List.of("cluster.chunk_prompts=-1")))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("cluster.chunk_prompts");
        assertThatThrownBy(() -> RecipeLoader.fromOverrides(List.of("cluster.mastr=yarn")))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("did you mean 'cluster.master'");
    }
}
