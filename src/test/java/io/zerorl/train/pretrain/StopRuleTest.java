package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The pretraining stop rule: when it measures, when it fires, and the learning rate's cooldown after it fires. */
class StopRuleTest {
    @TempDir
    Path tmp;

    private static PretrainConfig cfg(double target, int cooldown) {
        return PretrainConfig.defaults().withSteps(40).withBatch(4, 32).withLogEvery(1)
                .withStop(new PretrainConfig.Stop(target, 10, 10, 3, cooldown));
    }

    /** Probes every completion passes (an empty expected answer) or none does. */
    private static Validation validation(Tokenizer tok, boolean pass) {
        List<PretrainCorpus.Probe> probes = List.of(
                new PretrainCorpus.Probe(PretrainCorpus.PLAIN, "Question: what is 1+2+3?\n", pass ? "" : "\u0000never"),
                new PretrainCorpus.Probe(PretrainCorpus.AFTER, PretrainCorpus.instructedTurn("what comes after 1+2+3?"),
                        pass ? "" : "\u0000never"));
        return new Validation(probes, tok::encode, ids -> tok.decode(ids, true), tok.eosTokenIds());
    }

    private record Run(Pretrainer.Result result, List<Pretrainer.Progress> progress) {}

    private Run run(PretrainConfig cfg, boolean pass) {
        Path dir = tmp.resolve("tok" + pass + cfg.stop().cooldownSteps());
        BuiltinTokenizer.write(dir);
        List<Pretrainer.Progress> progress = new ArrayList<>();
        try (Tokenizer tok = Tokenizer.load(dir);
             Policy policy = Policy.init(BaseModel.config(), 1, Device.cpu(), DataType.FLOAT32)) {
            Pretrainer.Result r = Pretrainer.train(policy, cfg, tok::encode, BuiltinTokenizer.EOS_ID, progress::add,
                    validation(tok, pass));
            return new Run(r, progress);
        }
    }

    @Test
    void whenTheTargetIsReachedTheRateCoolsDownToItsFloorAndTrainingEnds() {
        PretrainConfig c = cfg(0.9, 6);
        Run run = run(c, true);
        assertThat(run.result().stoppedAt()).isEqualTo(10);
        assertThat(run.result().steps()).isEqualTo(16);
        assertThat(run.result().losses()).hasSize(16);
        assertThat(run.result().checks()).hasSize(1);
        assertThat(run.result().checks().get(0).result().score()).isEqualTo(1.0);
        List<Double> lr = run.progress().stream().map(Pretrainer.Progress::lr).toList();
        // before: the cosine over 40 steps; then from where it was down to the floor, monotonically
        assertThat(lr.get(10)).isCloseTo(cosineAt(c, 10), within(1e-12));
        for (int i = 11; i < 16; i++) {
            assertThat(lr.get(i)).isLessThan(lr.get(i - 1));
        }
        assertThat(lr.get(15)).isGreaterThanOrEqualTo(c.lr() * c.minLrRatio());
        assertThat(run.progress().get(9).validation()).isNotNull();
        assertThat(Pretrainer.format(run.progress().get(9), 40)).contains("validation plain 1.00 after 1.00");
    }

    @Test
    void withoutReachingItTheCosineRunsToTheMostSteps() {
        PretrainConfig c = cfg(0.5, 5);
        Run run = run(c, false);
        assertThat(run.result().stoppedAt()).isEqualTo(-1);
        assertThat(run.result().steps()).isEqualTo(40);
        // measured at 10, 20 and 30 (not at 40: no room left for a cooldown)
        assertThat(run.result().checks()).extracting(Pretrainer.Check::step).containsExactly(10, 20, 30);
        assertThat(run.result().checks()).allSatisfy(ch -> assertThat(ch.result().score()).isZero());
        for (int i = 0; i < 40; i++) {
            assertThat(run.progress().get(i).lr()).isCloseTo(cosineAt(c, i), within(1e-12));
        }
    }

    private static double cosineAt(PretrainConfig c, int step) {
        return new io.zerorl.optim.LrSchedule(c.lr(), c.warmupSteps(), c.steps(), "cosine", c.minLrRatio()).lr(step);
    }

    /** The cached model's marker says whether the target was reached, which the quickstart warns about. */
    @Test
    void theMarkerRecordsTheOutcomeOfTheRule() {
        Path ruled = tmp.resolve("ruled");
        Pretrainer.Result r = BaseModelCache.trainInto(ruled, cfg(0.99, 5), line -> {});
        assertThat(r.stoppedAt()).isEqualTo(-1); // an untrained model answers no probe
        assertThat(BaseModelCache.stoppedAt(ruled)).isEqualTo(-1);
        assertThat(io.zerorl.util.Json.readTree(ruled.resolve(BaseModelCache.MARKER)).get("validation")).hasSize(3);
        Path fixed = tmp.resolve("fixed");
        BaseModelCache.trainInto(fixed, PretrainConfig.defaults().withSteps(2).withBatch(4, 32), line -> {});
        assertThat(BaseModelCache.stoppedAt(fixed)).isNull();
        assertThat(BaseModelCache.stoppedAt(tmp.resolve("none"))).isNull();
    }

    @Test
    void badSettingsAndAMissingValidationAreRefused() {
        assertThatThrownBy(() -> new PretrainConfig.Stop(0, 10, 10, 3, 5)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("target in (0, 1]");
        assertThatThrownBy(() -> PretrainConfig.defaults().withSteps(40).withStop(new PretrainConfig.Stop(0.5, 30, 10, 3, 20)))
                .hasMessageContaining("must fit in steps (40)");
        assertThatThrownBy(() -> Pretrainer.train(null, cfg(0.5, 5), s -> new int[0], 0, p -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a validation");
    }

    /** The probes never show a held-out problem and never ask a task question in the RL format. */
    @Test
    void probesStayInThePretrainingFormats() {
        SumTask task = SumTask.defaults();
        List<PretrainCorpus.Probe> probes = new PretrainCorpus(task, PretrainCorpus.Mix.defaults()).probes(200, 5);
        assertThat(probes).hasSize(400);
        for (PretrainCorpus.Probe p : probes) {
            if (p.kind().equals(PretrainCorpus.PLAIN)) {
                assertThat(p.prompt()).startsWith("Question: what is ").doesNotContain(PretrainCorpus.INSTRUCTION);
            } else {
                assertThat(p.prompt()).startsWith(PretrainCorpus.INSTRUCTION).contains("what comes after ");
            }
            String expr = p.prompt().replaceAll("(?s).*what (?:is|comes after) ([0-9+]+)\\?.*", "$1");
            int[] ops = java.util.Arrays.stream(expr.split("\\+")).mapToInt(Integer::parseInt).toArray();
            assertThat(task.isHeldOut(new SumTask.Problem(ops))).as(p.prompt()).isFalse();
        }
    }
}
