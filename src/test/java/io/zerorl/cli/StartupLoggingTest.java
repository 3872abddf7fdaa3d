package io.zerorl.cli;

import io.zerorl.TestPaths;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A CPU-only run prints no DJL GPU-probe warnings, and other warnings stay on. Runs the CLI in a fresh JVM, as a
 * user does (the probe logs once per engine start). On a machine with a CUDA runtime but no driver, such as this
 * project's CPU machines, the probe warns four times per command without the setting.
 */
class StartupLoggingTest {
    @Test
    void theGpuProbeIsQuietAndOtherWarningsAreNot() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = Path.of("target", "startup-logging.txt");
        Process p = new ProcessBuilder(List.of(java, "-Xmx1g", "-Dai.djl.pytorch.num_threads=1",
                "-cp", System.getProperty("java.class.path"), "io.zerorl.cli.Main", "generate",
                "--model", TestPaths.fixture("qwen2-tiny").toString(), "--prompt", "2 + 2 =", "--max-new-tokens", "2"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = read(out);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).doesNotContain("Failed to detect GPU count").doesNotContain("CudaUtils");

        Offline.configure();
        assertThat(System.getProperty(Offline.GPU_PROBE_LOGGER)).isEqualTo("error");
        assertThat(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel")).isEqualTo("warn");
    }

    private static String read(Path p) throws IOException {
        return new String(java.nio.file.Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}
