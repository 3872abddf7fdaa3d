package io.zerorl.train;

import ai.djl.Device;
import io.zerorl.model.Devices;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Distillation, phase 1: the teacher samples {@code distill.samples_per_prompt} completions for each training prompt,
 * the recipe's rewards score them, {@link Rejection} keeps the passing ones, and they are appended to
 * {@code traces.jsonl.partial} batch by batch with a progress file, so an interrupted run continues where it stopped
 * (sampling is seeded by the prompt's index, so the continued file equals an uninterrupted one). At the end the file
 * is renamed to its final name; a teacher that passed no trace for any prompt stops here with a message instead.
 */
public final class DistillTraces {
    /** What phase 1 did. */
    public record Result(Path traces, int prompts, int sampled, int kept) {}

    private DistillTraces() {}

    public static Path tracesFile(Recipe r) {
        return r.distill().traces() != null ? Path.of(r.distill().traces())
                : Path.of(r.outputDir()).resolve("traces.jsonl");
    }

    public static Result run(Recipe r, Consumer<String> log) {
        Recipe.Distill d = r.distill();
        if (d.teacher() == null) {
            throw new ZerorlException("distill.teacher is not set: the teacher's model folder (for example the export of"
                    + " a GRPO run)");
        }
        Path teacherDir = Path.of(d.teacher());
        Path out = tracesFile(r).toAbsolutePath();
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        Path progress = out.resolveSibling(out.getFileName() + ".progress");
        Device device = Devices.parse(r.model().device());
        try (Tokenizer tok = Tokenizer.load(teacherDir);
             Policy teacher = Policy.load(teacherDir, device, Devices.dtype(r.train().precision()));
             WeightedRewards rewards = WeightedRewards.of(r.rewardSpecs(), RewardRegistry.standard())) {
            if (d.teacherAdapter() != null) {
                teacher.attach(PeftAdapter.read(Path.of(d.teacherAdapter()), teacher));
            }
            PromptSource source = PromptSource.load(r.data(), tok, r.seed());
            int total = d.prompts() > 0 ? Math.min(d.prompts(), source.size()) : source.size();
            Files.createDirectories(out.getParent());
            long done = 0;
            int sampled = 0;
            int kept = 0;
            if (Files.exists(progress) && Files.exists(partial)) {
                var p = Json.readTree(progress);
                done = p.get("prompts_done").asLong();
                sampled = p.get("sampled").asInt();
                kept = p.get("kept").asInt();
                try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                    ch.truncate(p.get("bytes").asLong()); // drop lines written after the last progress record
                }
                log.accept("traces: continuing after " + done + " of " + total + " prompts (" + kept + " kept)");
            } else {
                Files.deleteIfExists(partial);
                Files.createFile(partial);
            }
            SamplingParams params = r.rollout().params(d.samplesPerPrompt(), Seeds.mix(r.seed(), 0x7EACE5L));
            Map<String, Object> sampling = new LinkedHashMap<>();
            sampling.put("temperature", params.temperature());
            sampling.put("top_p", params.topP());
            sampling.put("max_new_tokens", params.maxNewTokens());
            sampling.put("n", params.n());
            sampling.put("seed", params.seed());
            RolloutEngine engine = new RolloutEngine(teacher, ids -> tok.decode(ids, true), tok.eosTokenIds());
            Rejection rejection = new Rejection(d.minReward(), d.maxCompletionTokens(), d.keepPerPrompt());
            int batch = Math.max(1, r.train().promptsPerStep());
            int k = d.samplesPerPrompt();
            while (done < total) {
                int n = (int) Math.min(batch, total - done);
                List<PromptSource.Item> items = new ArrayList<>();
                List<int[]> ids = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    PromptSource.Item it = source.get(done + i);
                    items.add(it);
                    ids.add(tok.encode(it.prompt()));
                }
                List<Completion> comps = engine.generate(ids, params, (int) done);
                List<RewardInput> inputs = new ArrayList<>();
                for (Completion c : comps) {
                    PromptSource.Item it = items.get(c.promptIndex());
                    inputs.add(new RewardInput(it.prompt(), c.text(), it.fields(), c.length()));
                }
                WeightedRewards.Result scored = rewards.score(inputs);
                StringBuilder lines = new StringBuilder();
                for (int p = 0; p < n; p++) {
                    List<Rejection.Candidate> cands = new ArrayList<>();
                    for (int j = 0; j < k; j++) {
                        Completion c = comps.get(p * k + j);
                        cands.add(new Rejection.Candidate(c.text(), c.length(), scored.total()[p * k + j]));
                    }
                    for (int j : rejection.select(cands)) {
                        Map<String, Double> per = new LinkedHashMap<>();
                        for (var e : scored.perFunction().entrySet()) {
                            Score s = e.getValue().get(p * k + j);
                            per.put(e.getKey(), s.value());
                        }
                        PromptSource.Item it = items.get(p);
                        lines.append(Traces.line(it.question() != null ? it.question() : it.prompt(), it.prompt(),
                                cands.get(j).text(), cands.get(j).reward(), per, teacherDir.toAbsolutePath().normalize().toString(), sampling,
                                done + p)).append('\n');
                        kept++;
                    }
                }
                sampled += n * k;
                Files.writeString(partial, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                done += n;
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("prompts_done", done);
                st.put("sampled", sampled);
                st.put("kept", kept);
                st.put("bytes", Files.size(partial));
                Files2.writeAtomically(progress, Json.MAPPER.writeValueAsBytes(st));
                log.accept(String.format(java.util.Locale.ROOT, "traces: %d / %d prompts, %d of %d completions kept",
                        done, total, kept, sampled));
            }
            if (kept == 0) {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(progress);
                throw new ZerorlException("the teacher passed no trace for any of " + total + " prompts (" + sampled
                        + " completions scored, none reached distill.min_reward " + d.minReward() + "): nothing to"
                        + " distill; lower distill.min_reward, sample more (distill.samples_per_prompt), or check the"
                        + " teacher and the rewards");
            }
            Files2.moveAtomically(partial, out);
            Files.deleteIfExists(progress);
            return new Result(out, total, sampled, kept);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write traces " + out, e);
        }
    }
}
