package io.zerorl.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RunLayoutTest {
    @Test
    void filesOfARunDirectory(@TempDir Path tmp) {
        RunLayout run = RunLayout.of(tmp);
        assertThat(run.metrics()).isEqualTo(tmp.resolve("metrics.jsonl"));
        assertThat(run.samples()).isEqualTo(tmp.resolve("samples.jsonl"));
        assertThat(run.recipe()).isEqualTo(tmp.resolve("recipe.yaml"));
        assertThat(run.checkpoints()).isEqualTo(tmp.resolve("checkpoints"));
        assertThat(run.export()).isEqualTo(tmp.resolve("export"));
        assertThat(run.report()).isEqualTo(tmp.resolve("report"));
        assertThat(RunLayout.ofCheckpoint(tmp.resolve("checkpoints/step-000004")).dir()).isEqualTo(tmp.toAbsolutePath());
        // a model folder that is not inside a run's checkpoints/ belongs to no run
        assertThat(RunLayout.ofCheckpoint(tmp.resolve("models/qwen"))).isNull();
        assertThat(RunLayout.ofCheckpoint(Path.of("/"))).isNull();
    }

    @Test
    void resumingCutsTheLogsBackToTheCheckpointStep(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("metrics.jsonl");
        Jsonl.truncateAfterStep(f, 3); // no file yet: nothing to do
        assertThat(f).doesNotExist();
        Map<String, Object> baseline = new LinkedHashMap<>();
        baseline.put("step", 0);
        baseline.put("eval/x/pass@1", 0.5);
        Jsonl.append(f, baseline);
        Jsonl.appendLines(f, List.of(Map.of("step", 1), Map.of("step", 2), Map.of("step", 3)));
        Jsonl.appendLines(f, List.of());
        assertThat(Files.readAllLines(f)).hasSize(4);
        Jsonl.truncateAfterStep(f, 2);
        assertThat(Files.readAllLines(f)).containsExactly("{\"step\":0,\"eval/x/pass@1\":0.5}", "{\"step\":1}",
                "{\"step\":2}");
    }

    @Test
    void metricNames() {
        assertThat(MetricNames.rewardMean("format")).isEqualTo("rewards/format/mean");
        assertThat(MetricNames.rewardStd("format")).isEqualTo("rewards/format/std");
        assertThat(MetricNames.evalPassAt("gsm8k", 1)).isEqualTo("eval/gsm8k/pass@1");
    }
}
