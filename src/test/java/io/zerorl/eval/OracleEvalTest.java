package io.zerorl.eval;

import io.zerorl.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end through the real pipeline (descriptor -> R1 template -> source -> reward verifier -> metrics):
 * an oracle that answers with the gold solution scores 100% and a wrong-answer source 0%, on the full
 * benchmark files in ../shared/datasets.
 */
class OracleEvalTest {
    private static Evaluator oracle;
    private static Evaluator wrong;

    @BeforeAll
    static void setUp() {
        oracle = new Evaluator(ReferenceSource.oracle());
        wrong = new Evaluator(ReferenceSource.wrong());
    }

    @AfterAll
    static void tearDown() {
        oracle.close();
        wrong.close();
    }

    static EvalConfig config(String... benchmarks) {
        // n = 2 so that pass@2 and maj@2 go through the same records; sandbox timeout generous for a loaded CI box
        return EvalConfig.builder(benchmarks).n(2).ks(1, 2).dataDir(TestPaths.datasets()).batchSize(64)
                .rewardOptions(java.util.Map.of("code", java.util.Map.of("timeout_ms", 30_000))).build();
    }

    static void assertAll(EvalResult r, double expected) {
        for (EvalResult.BenchmarkResult b : r.benchmarks()) {
            List<String> off = b.problems().stream().filter(p -> p.correct() != (expected == 1 ? p.samples().size() : 0))
                    .map(p -> p.id() + " gold=" + p.gold() + " " + p.samples().get(0).details()).toList();
            System.out.printf("%s %s: pass@1 %.4f pass@2 %.4f maj@2 %.4f over %d problems in %.1f s; off: %s%n",
                    r.settings().get("source"), b.benchmark(), b.passAt1().mean(), b.passAtK().get(2).mean(),
                    b.majAtK().get(2).mean(), b.problemCount(), b.seconds(), off.stream().limit(5).toList());
            assertThat(off).as(b.benchmark()).isEmpty();
            assertThat(b.passAt1().mean()).isEqualTo(expected);
            assertThat(b.passAtK().get(2).mean()).isEqualTo(expected);
            assertThat(b.majAtK().get(2).mean()).isEqualTo(expected);
            assertThat(b.unscored()).isZero();
        }
    }

    @Test
    void mathBenchmarksFullSets() {
        EvalConfig c = config("gsm8k", "math500", "aime24", "amc23", "countdown");
        EvalResult good = oracle.run(c);
        assertThat(good.benchmark("gsm8k").problemCount()).isEqualTo(1319);
        assertThat(good.benchmark("math500").problemCount()).isEqualTo(500);
        assertThat(good.benchmark("countdown").problemCount()).isEqualTo(256);
        assertAll(good, 1.0);
        assertAll(wrong.run(c), 0.0);
    }

    @Test
    void codeBenchmarksFullSets() {
        EvalConfig c = config("humaneval", "mbpp").toBuilder().n(1).ks(1).build();
        EvalResult good = oracle.run(c);
        assertThat(good.benchmark("humaneval").problemCount()).isEqualTo(164);
        assertThat(good.benchmark("mbpp").problemCount()).isEqualTo(500);
        assertAllK1(good, 1.0);
        assertAllK1(wrong.run(c), 0.0);
    }

    static void assertAllK1(EvalResult r, double expected) {
        for (EvalResult.BenchmarkResult b : r.benchmarks()) {
            List<String> off = b.problems().stream().filter(p -> p.correct() != (expected == 1 ? 1 : 0))
                    .map(p -> p.id() + " " + p.samples().get(0).details()).toList();
            System.out.printf("%s %s: pass@1 %.4f maj@1 %.4f over %d problems in %.1f s (%.1f programs/s); off: %s%n",
                    r.settings().get("source"), b.benchmark(), b.passAt1().mean(), b.majAtK().get(1).mean(),
                    b.problemCount(), b.seconds(), b.problemCount() / b.seconds(), off.stream().limit(5).toList());
            assertThat(off).as(b.benchmark()).isEmpty();
            assertThat(b.passAt1().mean()).isEqualTo(expected);
            assertThat(b.majAtK().get(1).mean()).isEqualTo(expected);
        }
    }
}
