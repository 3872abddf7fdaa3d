package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.model.Policy;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.Tokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurement, not a unit test (runs only with -Dzerorl.bench=true): pretrains the base model (or reuses the
 * cache) and reports its held-out accuracy on the RL format, greedy and sampled at T=1. The answer check here is
 * a local stand-in (last {@code <answer>..</answer>} equals the gold integer), not the project's math reward.
 *
 * <pre>mvn -B -q test -Dtest=BaseModelBench -Dzerorl.bench=true -Dbench.steps=600 -Dbench.cache=/tmp/zc</pre>
 */
class BaseModelBench {
    private static final Pattern ANSWER = Pattern.compile("<answer>(.*?)</answer>", Pattern.DOTALL);
    private static final Pattern FORMAT = Pattern.compile("^<think>.*?</think><answer>.*?</answer>$", Pattern.DOTALL);

    static boolean correct(String text, String gold) {
        Matcher m = ANSWER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last != null && last.trim().equals(gold);
    }

    @Test
    void measure() {
        Assumptions.assumeTrue(Boolean.getBoolean("zerorl.bench"));
        PretrainConfig cfg = PretrainConfig.defaults();
        if (System.getProperty("bench.steps") != null) {
            cfg = cfg.withSteps(Integer.getInteger("bench.steps"));
        }
        if (System.getProperty("bench.lr") != null) {
            cfg = cfg.withLr(Double.parseDouble(System.getProperty("bench.lr")));
        }
        if (System.getProperty("bench.mix") != null) {
            String[] w = System.getProperty("bench.mix").split(",");
            cfg = cfg.withMix(new PretrainCorpus.Mix(Double.parseDouble(w[0]), Double.parseDouble(w[1]),
                    Double.parseDouble(w[2]), Double.parseDouble(w[3]), Double.parseDouble(w[4])));
        }
        if (System.getProperty("bench.task") != null) {
            String[] w = System.getProperty("bench.task").split(",");
            cfg = cfg.withTask(new SumTask.Config(Integer.parseInt(w[0]), Integer.parseInt(w[1]),
                    Integer.parseInt(w[2]), Integer.parseInt(w[3])));
        }
        Path root = Path.of(System.getProperty("bench.cache", "/tmp/zerorl-bench-cache"));
        long t0 = System.nanoTime();
        BaseModelCache.Outcome out = BaseModelCache.ensure(root, cfg, System.out::println);
        System.out.printf(Locale.ROOT, "ensure took %.1f s (cached=%s)%n", (System.nanoTime() - t0) / 1e9, out.cached());
        int nEval = Integer.getInteger("bench.eval", 200);
        List<SumTask.Problem> probs = new SumTask(cfg.task()).problems(SumTask.Split.HELD_OUT, nEval, 7);
        try (Tokenizer tok = Tokenizer.load(out.dir());
             Policy policy = Policy.load(out.dir(), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> prompts = new ArrayList<>();
            for (SumTask.Problem p : probs) {
                prompts.add(tok.encode(PretrainCorpus.instructedTurn(p.question())));
            }
            RolloutEngine engine = new RolloutEngine(policy, ids -> tok.decode(ids, true), tok.eosTokenIds());
            long t1 = System.nanoTime();
            List<Completion> greedy = engine.generate(prompts, SamplingParams.greedy(48));
            report("greedy", greedy, probs, 1);
            int n = Integer.getInteger("bench.n", 4);
            List<Completion> sampled;
            try {
                sampled = engine.generate(prompts, SamplingParams.sample(1.0, 48, n, 11));
            } catch (RuntimeException e) {
                System.out.println("cached sampling failed (" + e.getMessage() + "); uncached");
                sampled = new RolloutEngine(policy, ids -> tok.decode(ids, true), tok.eosTokenIds()).withoutCache()
                        .generate(prompts, SamplingParams.sample(1.0, 48, n, 11));
            }
            report("sampled T=1", sampled, probs, n);
            System.out.printf(Locale.ROOT, "eval took %.1f s%n", (System.nanoTime() - t1) / 1e9);
            // competence in the corpus's own surface form: "4+7+2 = " continued greedily to "11+2 = 13"
            List<int[]> native_ = new ArrayList<>();
            for (SumTask.Problem p : probs) {
                native_.add(tok.encode(p.expression() + " = "));
            }
            List<Completion> nat = engine.generate(native_, SamplingParams.greedy(24));
            int ok = 0;
            for (Completion c : nat) {
                String line = c.text().split("\n", -1)[0];
                String[] parts = line.split(" = ");
                ok += parts[parts.length - 1].trim().equals(Integer.toString(probs.get(c.promptIndex()).answer())) ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "BENCH corpus-format chains (greedy): %.1f%%%n", 100.0 * ok / nat.size());
            for (int i = 0; i < 12; i++) {
                System.out.println("  " + probs.get(i / 4 * 3).question() + " -> " + sampled.get(i / 4 * 3 * n + i % 4).text().replace("\n", "\\n"));
            }
        }
    }

    private static void report(String what, List<Completion> cs, List<SumTask.Problem> probs, int n) {
        int ok = 0;
        int fmt = 0;
        int[] passAny = new int[probs.size()];
        int[] okByTerms = new int[10];
        int[] totByTerms = new int[10];
        for (Completion c : cs) {
            SumTask.Problem p = probs.get(c.promptIndex());
            boolean right = correct(c.text(), Integer.toString(p.answer()));
            ok += right ? 1 : 0;
            fmt += FORMAT.matcher(c.text().trim()).matches() ? 1 : 0;
            passAny[c.promptIndex()] |= right ? 1 : 0;
            int k = p.operands().length;
            totByTerms[k]++;
            okByTerms[k] += right ? 1 : 0;
        }
        StringBuilder byK = new StringBuilder();
        for (int k = 0; k < 10; k++) {
            if (totByTerms[k] > 0) {
                byK.append(String.format(Locale.ROOT, " k=%d: %.1f%%", k, 100.0 * okByTerms[k] / totByTerms[k]));
            }
        }
        System.out.printf(Locale.ROOT, "BENCH %s: accuracy %.1f%% (%d/%d), format %.1f%%, pass@%d %.1f%%,%s%n",
                what, 100.0 * ok / cs.size(), ok, cs.size(), 100.0 * fmt / cs.size(), n,
                100.0 * java.util.Arrays.stream(passAny).sum() / probs.size(), byK);
    }
}
