package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.model.Policy;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measurement, not a test: how the base model's competence forms during pretraining, on this CPU's float path. It
 * pretrains with the stop rule's schedule (warmup, cosine over the most steps) and, at every check of the rule, prints the
 * validation accuracies the rule reads (pretraining formats, train-split sums) next to what the rule stands in for:
 * the RL-format accuracy on held-out problems (greedy, and sampled at T=1 as the quickstart evaluates). Run it under
 * each {@code ATEN_CPU_CAPABILITY} to see whether the validation tracks the RL-format accuracy on every path:
 * <pre>
 * mvn -B -q test-compile
 * ATEN_CPU_CAPABILITY=avx2 java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
 *     -cp target/test-classes:target/classes:"target/lib/*" io.zerorl.train.pretrain.PretrainProbe 2400 100 1.0
 * </pre>
 * Arguments: the most steps, the check interval, the stop target (1.0 rarely fires: a look at the whole curve), the
 * cooldown steps (default 0), the first check (default: the interval) and optionally comma-separated decays of
 * exponential moving averages of the weights, each evaluated in the RL format beside the raw weights ({@code -} for
 * none), and the pretraining seed. Prints lines starting with {@code PROBE}.
 */
public final class PretrainProbe {
    private PretrainProbe() {}

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1800;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        double target = args.length > 2 ? Double.parseDouble(args[2]) : 1.0;
        int cooldown = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int first = args.length > 4 ? Integer.parseInt(args[4]) : every;
        double[] decays = args.length > 5 && !args[5].equals("-") ? java.util.Arrays.stream(args[5].split(","))
                .mapToDouble(Double::parseDouble).toArray() : new double[0];
        long seed = args.length > 6 ? Long.parseLong(args[6]) : PretrainConfig.defaults().seed();
        String cap = System.getenv().getOrDefault("ATEN_CPU_CAPABILITY", "native");
        PretrainConfig cfg = PretrainConfig.defaults().withSeed(seed)
                .withStop(new PretrainConfig.Stop(target, first, every, 64, cooldown));
        cfg = new PretrainConfig(steps, cfg.batchSize(), cfg.seqLen(), cfg.lr(), cfg.warmupSteps(), cfg.minLrRatio(),
                cfg.weightDecay(), cfg.clipNorm(), cfg.seed(), 1, cfg.task(), cfg.mix(), cfg.stop());
        Path dir = Files.createTempDirectory("zerorl-probe");
        BuiltinTokenizer.write(dir);
        SumTask task = new SumTask(cfg.task());
        List<SumTask.Problem> heldOut = task.problems(SumTask.Split.HELD_OUT, 100, 7);
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "PROBE cap step plain after rl_greedy rl_T1 (%s, %d steps, target %.2f)%n", cap, steps,
                target);
        long t0 = System.nanoTime();
        try (Tokenizer tok = Tokenizer.load(dir);
             Policy policy = Policy.init(BaseModel.config(), cfg.seed(), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> rlPrompts = new ArrayList<>();
            for (SumTask.Problem p : heldOut) {
                rlPrompts.add(tok.encode(PretrainCorpus.instructedTurn(p.question())));
            }
            RolloutEngine engine = new RolloutEngine(policy, ids -> tok.decode(ids, true), tok.eosTokenIds());
            List<Policy> emas = new ArrayList<>();
            for (double d : decays) {
                Policy e = Policy.init(BaseModel.config(), 0, Device.cpu(), DataType.FLOAT32);
                copy(policy, e, 0);
                emas.add(e);
            }
            Pretrainer.Result r = Pretrainer.train(policy, cfg, tok::encode, BuiltinTokenizer.EOS_ID, p -> {
                for (int i = 0; i < decays.length; i++) {
                    copy(policy, emas.get(i), decays[i]);
                }
                if (p.validation() == null) {
                    return;
                }
                double greedy = accuracy(engine.generate(rlPrompts, SamplingParams.greedy(48)), heldOut);
                double sampled = accuracy(engine.generate(rlPrompts, SamplingParams.sample(1.0, 48, 2, 11)), heldOut);
                StringBuilder ema = new StringBuilder();
                for (int i = 0; i < decays.length; i++) {
                    RolloutEngine en = new RolloutEngine(emas.get(i), ids -> tok.decode(ids, true), tok.eosTokenIds());
                    ema.append(String.format(Locale.ROOT, " ema%.3f %.3f/%.3f", decays[i],
                            accuracy(en.generate(rlPrompts, SamplingParams.greedy(48)), heldOut),
                            accuracy(en.generate(rlPrompts, SamplingParams.sample(1.0, 48, 2, 11)), heldOut)));
                }
                out.printf(Locale.ROOT, "PROBE %s %d %.3f %.3f %.3f %.3f%s  (loss %.4f, lr %.2e, %.0f s)%n", cap,
                        p.step(), p.validation().byKind().get(PretrainCorpus.PLAIN),
                        p.validation().byKind().get(PretrainCorpus.AFTER), greedy, sampled, ema, p.loss(), p.lr(),
                        (System.nanoTime() - t0) / 1e9);
            }, BaseModelCache.validation(cfg, tok));
            for (int i = 0; i < decays.length; i++) {
                RolloutEngine en = new RolloutEngine(emas.get(i), ids -> tok.decode(ids, true), tok.eosTokenIds());
                out.printf(Locale.ROOT, "PROBE %s end ema%.3f rl_greedy %.3f rl_T1 %.3f%n", cap, decays[i],
                        accuracy(en.generate(rlPrompts, SamplingParams.greedy(48)), heldOut),
                        accuracy(en.generate(rlPrompts, SamplingParams.sample(1.0, 48, 4, 13)), heldOut));
                emas.get(i).close();
            }
            double greedy = accuracy(engine.generate(rlPrompts, SamplingParams.greedy(48)), heldOut);
            double sampled = accuracy(engine.generate(rlPrompts, SamplingParams.sample(1.0, 48, 2, 11)), heldOut);
            out.printf(Locale.ROOT, "PROBE %s end %d (stopped at %d) rl_greedy %.3f rl_T1 %.3f  (%.0f s)%n", cap,
                    r.steps(), r.stoppedAt(), greedy, sampled, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code to = decay * to + (1 - decay) * from}, parameter by parameter (decay 0 copies). */
    static void copy(Policy from, Policy to, double decay) {
        // every intermediate (stopGradient handles, products in the weights' managers) dies with the scope
        try (io.zerorl.model.NoGrad ng = new io.zerorl.model.NoGrad();
             ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope();
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            scope.suppressNotUsedWarning();
            ai.djl.ndarray.NDArray d = io.zerorl.tensor.Scalars.of(m, decay);
            ai.djl.ndarray.NDArray rest = io.zerorl.tensor.Scalars.of(m, 1 - decay);
            from.parameters().forEach((name, p) -> {
                ai.djl.ndarray.NDArray t = to.parameters().get(name);
                ai.djl.ndarray.NDArray mixed = t.mul(d).add(p.stopGradient().mul(rest));
                mixed.attach(m);
                t.set(new ai.djl.ndarray.index.NDIndex("..."), mixed);
            });
        }
    }

    /** Share of completions whose last {@code <answer>} is the problem's sum. */
    static double accuracy(List<Completion> cs, List<SumTask.Problem> problems) {
        int ok = 0;
        for (Completion c : cs) {
            ok += BaseModelBench.correct(c.text(), Integer.toString(problems.get(c.promptIndex()).answer())) ? 1 : 0;
        }
        return (double) ok / cs.size();
    }
}
