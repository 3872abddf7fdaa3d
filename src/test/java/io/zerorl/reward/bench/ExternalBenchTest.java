package io.zerorl.reward.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code zerorl rewards bench} measures the Python example over JSON Lines and an HTTP endpoint (briefly here). */
@Timeout(120)
class ExternalBenchTest {
    @Test
    void printsCompletionsPerSecondOfTheProgramAndTheEndpoint() {
        StringWriter s = new StringWriter();
        ExternalBench.run(0.2, "Let's think step by step.\n", new PrintWriter(s, true));
        assertThat(s.toString()).containsPattern("external program, 64-line batches: [\\d,]+ completions/s \\(python3 answer_match.py\\)")
                .containsPattern("external program,  1-line batches: [\\d,]+ completions/s")
                .containsPattern("http endpoint \\(loopback\\): +[\\d,]+ completions/s");
    }
}
