package io.zerorl.rollout;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.TestPaths;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.ParamSpec;
import io.zerorl.rollout.bench.RolloutBenchmark;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutBenchmarkTest {
    @Test
    void generatedShapesHaveTheIntendedSizes() {
        ModelConfig qwen = RolloutBenchmark.shape(RolloutBenchmark.QWEN25_05B);
        assertThat(ParamSpec.counts(qwen)[0]).isEqualTo(494_032_768L); // Qwen2.5-0.5B's published count
        ModelConfig moe = RolloutBenchmark.shape(RolloutBenchmark.MOE);
        assertThat(moe.numExperts).isEqualTo(32);
        assertThat(moe.topK).isEqualTo(4);
        assertThat(moe.moeIntermediateSize).isEqualTo(384);
        assertThat(moe.isSparse(0) && moe.isSparse(11)).isTrue();
        long[] c = ParamSpec.counts(moe);
        // 12 layers x 28 unused experts x 3 x 1024 x 384 parameters are inactive per token
        assertThat(c[0] - c[1]).isEqualTo(12L * 28 * 3 * 1024 * 384);
    }

    @Test
    void smallRunReportsCachedAndUncachedRates() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        RolloutBenchmark bench = new RolloutBenchmark(TestPaths.fixtures(), Device.cpu(), DataType.FLOAT32, 1,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        // prompt + new tokens beyond the fixture's 256 positions: the context is raised for the run
        List<RolloutBenchmark.Result> r = bench.run(List.of(
                new RolloutBenchmark.Case("fixture:qwen2-tiny", 2, 250, 8, 4),
                new RolloutBenchmark.Case("fixture:qwen3moe-tiny", 3, 8, 4, 0)));
        assertThat(r).hasSize(2);
        assertThat(r.get(0).cachedTokensPerSec()).isPositive();
        assertThat(r.get(0).uncachedTokensPerSec()).isPositive();
        assertThat(r.get(0).ratio()).isPositive();
        assertThat(r.get(1).uncachedTokensPerSec()).isNaN();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("qwen2-tiny").contains("qwen3moe-tiny").contains("lower bound");
    }
}
