package io.zerorl.reward.external;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.zerorl.reward.external.ExternalProgramRewardTest.gone;
import static io.zerorl.reward.external.ExternalProgramRewardTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM that ends without closing its reward leaves no program behind: the shutdown hook kills the program and the
 * process it started, on System.exit and on SIGTERM. (The program here ignores end of input, so only the hook can
 * stop it.)
 */
@Timeout(120)
class ReaperTest {
    @TempDir
    Path tmp;

    @Test
    void programsDieWithTheJvmOnExit() throws Exception {
        endsWithoutOrphans("exit");
    }

    @Test
    void programsDieWithTheJvmOnSigterm() throws Exception {
        endsWithoutOrphans("wait");
    }

    private void endsWithoutOrphans(String mode) throws IOException, InterruptedException {
        Path script = Programs.write(tmp, "scripted.py", Programs.SCRIPTED);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ReaperChild.class.getName(), script.toString(), mode)).redirectErrorStream(true).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            do {
                line = r.readLine();
            } while (line != null && !line.startsWith("PIDS "));
            assertThat(line).as("the child JVM printed the pids").isNotNull();
            String[] pids = line.split(" ");
            long program = Long.parseLong(pids[1]);
            long child = Long.parseLong(pids[2]);
            if (mode.equals("wait")) {
                assertThat(gone(program) || gone(child)).as("running while the JVM runs").isFalse();
                jvm.destroy(); // SIGTERM
            }
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
            waitFor(() -> gone(program) && gone(child));
        } finally {
            jvm.destroyForcibly();
        }
    }
}
