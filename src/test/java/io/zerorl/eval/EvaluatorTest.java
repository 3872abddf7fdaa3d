package io.zerorl.eval;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.TestPaths;
import io.zerorl.cli.EvalCommandTestSupport;
import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.data.DataDirs;
import io.zerorl.model.Policy;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EvaluatorTest {
    /**
     * Turns each sample of a real model into a gold or a wrong boxed answer by a hash of the sampled text, so
     * the metrics depend on exactly what was sampled (a random tiny model never writes a correct answer itself).
     */
    record HashedAnswers(CompletionSource model) implements CompletionSource {
        @Override
        public List<List<Sample>> generate(List<Request> requests, SamplingParams params) {
            List<List<Sample>> raw = model.generate(requests, params);
            List<List<Sample>> out = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                List<Sample> g = new ArrayList<>();
                for (Sample s : raw.get(i)) {
                    int h = Math.floorMod(s.text().hashCode(), 3);
                    String answer = h == 0 ? requests.get(i).problem().answer() : "wrong" + h;
                    g.add(new Sample(s.text() + " <answer>\\boxed{" + answer + "}</answer>", s.tokens(), s.finishReason()));
                }
                out.add(g);
            }
            return out;
        }

        @Override
        public String describe() {
            return "hashed(" + model.describe() + ")";
        }
    }

    @Test
    void sameSeedSameNumbersThroughThePolicyGenerator(@TempDir Path dir) throws IOException {
        Path yaml = EvalCommandTestSupport.toyBenchmark(dir);
        EvalConfig cfg = EvalConfig.builder(yaml.toString()).dataDir(dir.resolve("data")).n(4).ks(1, 2, 4)
                .temperature(1.0).maxNewTokens(6).batchSize(3).seed(11).build();
        try (Policy policy = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32);
             Tokenizer tok = Tokenizer.load(TestPaths.fixture("qwen2-tiny"))) {
            CompletionSource src = new HashedAnswers(new PolicyGenerator(policy, tok));
            EvalResult.BenchmarkResult a = Evaluator.run(cfg, src).benchmark("toy");
            EvalResult.BenchmarkResult b = Evaluator.run(cfg, src).benchmark("toy");
            EvalResult.BenchmarkResult c = Evaluator.run(cfg.toBuilder().seed(12).build(), src).benchmark("toy");
            System.out.printf("seed 11: pass@1 %s pass@4 %s maj@4 %s; seed 12: pass@1 %s%n", a.passAt1(), a.passAtK().get(4),
                    a.majAtK().get(4), c.passAt1());
            assertThat(b.passAt1()).isEqualTo(a.passAt1());
            assertThat(b.passAtK()).isEqualTo(a.passAtK());
            assertThat(b.majAtK()).isEqualTo(a.majAtK());
            assertThat(texts(b)).isEqualTo(texts(a));
            assertThat(a.passAt1().mean()).isBetween(0.0, 1.0);
            assertThat(texts(c)).isNotEqualTo(texts(a));
            // every sample of every problem, as the prompts were given
            assertThat(a.problems()).hasSize(5);
            assertThat(a.problems().get(0).prompt()).isEqualTo("1 + 1 =");
            assertThat(a.problems().get(4).gold()).isEqualTo("7");
            assertThat(a.problems()).allSatisfy(p -> assertThat(p.samples()).hasSize(4)
                    .allSatisfy(s -> assertThat(s.tokens()).isBetween(1, 6)));
            // problem i's samples do not depend on --limit (batches of 3: the first batch is identical)
            EvalResult.BenchmarkResult limited = Evaluator.run(cfg.toBuilder().limit(3).build(), src).benchmark("toy");
            assertThat(texts(limited)).isEqualTo(texts(a).subList(0, 3));
        }
    }

    private static List<List<String>> texts(EvalResult.BenchmarkResult r) {
        return r.problems().stream().map(p -> p.samples().stream().map(EvalResult.SampleRecord::text).toList()).toList();
    }

    /** Samples scripted per problem, to check the metric plumbing against hand-computed values. */
    record Scripted(Map<String, List<String>> byId) implements CompletionSource {
        @Override
        public List<List<Sample>> generate(List<Request> requests, SamplingParams params) {
            return requests.stream().map(r -> byId.get(r.problem().id()).stream().map(Sample::of).toList()).toList();
        }

        @Override
        public String describe() {
            return "scripted";
        }
    }

    private static String boxed(String a) {
        return a == null ? "I do not know." : "<think>x</think> <answer>\\boxed{" + a + "}</answer>";
    }

    private static List<String> boxed(String... a) {
        return Arrays.stream(a).map(EvaluatorTest::boxed).toList();
    }

    @Test
    void metricsThroughThePipelineMatchHandComputedValues() {
        // gsm8k/1 gold 18, gsm8k/2 gold 3, gsm8k/3 gold 70000, gsm8k/4 gold 540
        Map<String, List<String>> s = Map.of(
                "gsm8k/1", boxed("18", "17", "18.0", "\\$18"),   // 4/4 correct (spellings of 18); maj: "18" twice
                "gsm8k/2", boxed("2", "3", "2", "3"),            // 2/4; tie 2 vs 3 -> "2" (first seen) -> maj wrong
                "gsm8k/3", boxed(null, "70,000", null, null),    // 1/4; only one vote -> maj right
                "gsm8k/4", boxed("1", "2", "4", "8"));           // 0/4, all wrong
        EvalConfig cfg = EvalConfig.builder("gsm8k").dataDir(TestPaths.datasets()).limit(4).n(4).ks(1, 2, 4).build();
        EvalResult.BenchmarkResult r = Evaluator.run(cfg, new Scripted(s)).benchmark("gsm8k");
        assertThat(r.problems().stream().map(EvalResult.ProblemRecord::correct).toList()).containsExactly(3, 2, 1, 0);
        // pass@1: mean(3/4, 2/4, 1/4, 0) = 0.375
        assertThat(r.passAt1().mean()).isCloseTo(0.375, within(1e-12));
        // pass@2 per problem: 1 - C(n-c,2)/C(4,2): c=3 -> 1, c=2 -> 1 - 1/6, c=1 -> 1 - 3/6, c=0 -> 0
        assertThat(r.passAtK().get(2).mean()).isCloseTo((1 + 5.0 / 6 + 0.5 + 0) / 4, within(1e-12));
        // pass@4 with n = k: any correct -> 1
        assertThat(r.passAtK().get(4).mean()).isCloseTo(0.75, within(1e-12));
        // "18", "18.0" normalise to the same vote; "\$18" also normalises to 18. maj@4: right, tie->wrong, right, wrong
        assertThat(r.majAtK().get(4).mean()).isCloseTo(0.5, within(1e-12));
        // maj@1 = first sample correct: yes, no, no (no answer), no
        assertThat(r.majAtK().get(1).mean()).isCloseTo(0.25, within(1e-12));
        // maj@2: {18,17} tie -> 18 right; {2,3} -> 2 wrong; {null,70,000} -> right; {1,2} -> wrong
        assertThat(r.majAtK().get(2).mean()).isCloseTo(0.5, within(1e-12));
        assertThat(r.problems().get(0).samples().get(0).answer()).isEqualTo("18");
        assertThat(r.problems().get(2).samples().get(0).answer()).isNull();
        // stderr of per-problem pass@1 values (.75, .5, .25, 0): sd = sqrt(5/48), se = sd / 2
        assertThat(r.passAt1().stderr()).isCloseTo(Math.sqrt(0.3125 / 3) / 2, within(1e-12));
    }

    @Test
    void evalDuringTrainingEveryNStepsOnAHeldOutSet(@TempDir Path out) {
        Dataset gsm = DatasetRegistry.builtin().load("gsm8k", DataDirs.resolve(TestPaths.datasets()));
        Dataset heldOut = new Dataset(gsm.descriptor(), gsm.rows().subList(gsm.rows().size() - 20, gsm.rows().size()));
        EvalConfig cfg = EvalConfig.builder("gsm8k").n(2).ks(1, 2).output(out).build();
        try (EvalDuringTraining eval = new EvalDuringTraining(5, cfg, List.of(heldOut), ReferenceSource.oracle())) {
            assertThat(eval.due(0)).isFalse();
            assertThat(eval.maybeEvaluate(3)).isEmpty();
            Map<String, Double> m = eval.maybeEvaluate(10);
            assertThat(m).containsEntry("eval/gsm8k/pass@1", 1.0).containsEntry("eval/gsm8k/pass@2", 1.0)
                    .containsEntry("eval/gsm8k/maj@2", 1.0).containsEntry("eval/gsm8k/problems", 20.0)
                    .containsEntry("eval/step", 10.0).containsKey("eval/gsm8k/pass@1_stderr");
            assertThat(eval.last().benchmark("gsm8k").problems().get(0).id()).isEqualTo("gsm8k/1300");
            assertThat(Files.isRegularFile(out.resolve("step_000010/gsm8k/problems.jsonl"))).isTrue();
            assertThat(Files.isRegularFile(out.resolve("step_000010/summary.md"))).isTrue();
        }
    }
}
