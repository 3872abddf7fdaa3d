package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.TestPaths;
import io.zerorl.cluster.ChunkResult;
import io.zerorl.cluster.ClusterConfig;
import io.zerorl.cluster.ModelSpec;
import io.zerorl.cluster.RewardRow;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.RewardSpec;
import io.zerorl.reward.Score;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rollouts and rewards on a real Spark cluster on this machine: {@code local-cluster[2,1,1024]}, two executor JVMs,
 * each with its own DJL engine and model, started from the test class path alone (no Spark install).
 */
class ClusterTrainingTest {
    static final String MASTER = "local-cluster[2,1,1024]";

    @TempDir
    Path tmp;

    static List<int[]> prompts(Tokenizer tok, int n) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(tok.encode("Question " + i + ": what is " + i + " + " + (i * 3 % 7) + "? Answer:"));
        }
        return out;
    }

    /** The same chunk sampled in this process: same prompts, same first index, same weights. */
    static List<Completion> inProcess(Policy policy, Tokenizer tok, List<int[]> prompts, SamplingParams params, int first) {
        return new RolloutEngine(policy, ids -> tok.decode(ids, true), tok.eosTokenIds()).generate(prompts, params, first);
    }

    static void assertSame(List<Completion> got, List<Completion> want, double logprobTolerance) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).tokenIds()).as("tokens of completion " + i).isEqualTo(want.get(i).tokenIds());
            assertThat(got.get(i).text()).isEqualTo(want.get(i).text());
            assertThat(got.get(i).finishReason()).isEqualTo(want.get(i).finishReason());
            float[] a = got.get(i).logprobs();
            float[] b = want.get(i).logprobs();
            assertThat(a).hasSameSizeAs(b);
            for (int t = 0; t < a.length; t++) {
                assertThat((double) a[t]).as("log-prob %d of completion %d", t, i)
                        .isCloseTo(b[t], org.assertj.core.data.Offset.offset(logprobTolerance));
            }
        }
    }

    @Test
    void chunksOnTwoExecutorsEqualInProcessSamplingAndScoringAndAFailedTaskIsRetriedIdentically() {
        Path model = TestPaths.fixture("qwen2-tiny");
        List<Map<String, Object>> rewards = List.of(Map.of("name", "io.zerorl.reward.text.ToyReward", "weight", 1.0),
                Map.of("name", "format", "weight", 0.5));
        ClusterConfig config = new ClusterConfig(MASTER, 2, Map.of("spark.zerorl.test.failFirstAttemptOfChunk", "1"), null);
        SamplingParams params = SamplingParams.sample(1.0, 12, 3, 11);
        try (Tokenizer tok = Tokenizer.load(model);
             Policy policy = Policy.load(model, Device.cpu(), DataType.FLOAT32);
             WeightedRewards local = WeightedRewards.of(rewards.stream().map(RewardSpec::fromMap).toList(),
                     RewardRegistry.standard());
             ScaleOut cluster = ScaleOut.open(config, new ModelSpec(model.toString(), "cpu", "fp32", null), "test", 1)) {
            assertThat(cluster.executors()).isEqualTo(2);
            List<int[]> prompts = prompts(tok, 8);
            List<RewardRow> rows = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                rows.add(new RewardRow("prompt " + i, Map.of("answer", Integer.toString(i))));
            }
            ScaleOut.Sampled s = cluster.sample(prompts, rows, params, rewards);
            assertThat(s.chunks()).hasSize(4);
            Set<String> processes = new HashSet<>();
            for (ChunkResult r : s.chunks()) {
                processes.add(r.executor().substring(r.executor().indexOf('@') + 1));
                assertThat(r.version()).isZero();
            }
            assertThat(processes).as("results come from two executor processes").hasSize(2);
            assertThat(processes).doesNotContain(java.lang.management.ManagementFactory.getRuntimeMXBean().getName());
            assertThat(s.chunks().get(1).attempt()).as("chunk 1 failed once and was retried").isEqualTo(1);
            assertThat(s.chunks().get(0).attempt()).isZero();
            // every chunk, the retried one included, token for token what this process samples for it
            List<Completion> all = new ArrayList<>();
            for (ChunkResult r : s.chunks()) {
                int first = r.index() * 2;
                List<Completion> want = inProcess(policy, tok, prompts.subList(first, first + 2), params, first);
                assertSame(r.completions(), want, 0.0);
                for (Completion c : want) {
                    all.add(new Completion(c.promptIndex() + first, c.sampleIndex(), c.promptIds(), c.tokenIds(),
                            c.logprobs(), c.text(), c.finishReason()));
                }
            }
            assertSame(s.completions(), all, 0.0);
            // the executors' reward scores are this process's scores of the same completions
            List<RewardInput> inputs = new ArrayList<>();
            for (Completion c : all) {
                inputs.add(new RewardInput(rows.get(c.promptIndex()).prompt(), c.text(),
                        rows.get(c.promptIndex()).fields(), c.length()));
            }
            WeightedRewards.Result want = local.score(inputs);
            WeightedRewards.Result got = local.combine(s.scores(), all.size());
            assertThat(got.total()).isEqualTo(want.total());
            for (String name : want.perFunction().keySet()) {
                assertThat(got.perFunction().get(name).stream().map(Score::value).toList()).as(name)
                        .isEqualTo(want.perFunction().get(name).stream().map(Score::value).toList());
            }
        }
    }

    @Test
    void afterALearnerStepTheExecutorsSampleWithTheNewWeightsFullAndLora() {
        for (String mode : List.of("lora", "full")) {
            List<String> extra = new ArrayList<>(List.of("train.steps=1", "rollout.max_new_tokens=10",
                    "train.prompts_per_step=4", "train.group_size=2", "optim.warmup_steps=0", "optim.lr=0.01",
                    "cluster.master=" + MASTER, "cluster.chunk_prompts=2"));
            if (mode.equals("lora")) {
                extra.addAll(List.of("lora.r=4", "lora.alpha=8"));
            }
            Recipe r = TrainerFeaturesTest.recipe("qwen2-tiny", tmp.resolve(mode), extra.toArray(String[]::new));
            try (GrpoTrainer t = new GrpoTrainer(r, false)) {
                Map<String, Object> m = t.runStep();
                assertThat(m).containsKey("loss");
                ScaleOut cluster = t.cluster();
                SamplingParams params = SamplingParams.sample(1.0, 10, 2, 5);
                List<int[]> prompts = prompts(t.tokenizer(), 4);
                ScaleOut.Sampled s = cluster.sample(prompts, null, params, null);
                for (ChunkResult c : s.chunks()) {
                    assertThat(c.version()).as(mode + ": the executors hold the learner's step-1 weights").isEqualTo(1);
                    int first = c.index() * 2;
                    assertSame(c.completions(), inProcess(t.policy(), t.tokenizer(), prompts.subList(first, first + 2),
                            params, first), 1e-5);
                }
                if (mode.equals("full")) {
                    assertThat(tmp.resolve(mode).resolve("cluster-weights").resolve("v1").resolve("model.safetensors"))
                            .exists();
                }
            }
        }
    }
}
