package io.zerorl.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.zerorl.model.KvCache;
import io.zerorl.model.NoGrad;
import io.zerorl.model.Ops;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.IncrementalDecoder;
import io.zerorl.tokenizer.StopStringMatcher;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Batched autoregressive generation with a preallocated KV cache.
 *
 * <p>Prompts of different lengths are left-padded into one batch of {@code prompts x n} rows; one
 * prefill pass fills the cache, then each step feeds one token per row. Rows that finish (EOS or stop
 * token, stop string, length) are dropped from the batch and the cache once enough of them pile up
 * (a quarter of the batch), so finished rows stop costing compute; generation ends when every row is
 * done. Each row draws its random numbers from its own generator seeded by (seed, prompt, sample), so
 * results are reproducible on one device and independent of batch composition.
 *
 * <p>Per decoding step the host sends only the new ids and positions: the additive attention key mask is
 * built once on the device and viewed per step, and the prefill projects only the last position to the
 * vocabulary. Stop strings are matched on text detokenized incrementally ({@link IncrementalDecoder}), so a
 * step decodes a few tokens per row rather than the whole completion.
 */
public final class RolloutEngine {
    private final Policy policy;
    private final TokenDecoder decoder;
    private final int[] eosIds;
    private final int padId;
    private boolean useCache = true;

    /**
     * @param decoder ids to text (for stop strings and {@link Completion#text()}); may be null, then
     *                texts are empty and stop strings are rejected
     * @param eosIds  the model's end-of-sequence ids (always stop a row)
     */
    public RolloutEngine(Policy policy, TokenDecoder decoder, int[] eosIds) {
        this.policy = policy;
        this.decoder = decoder;
        this.eosIds = eosIds.clone();
        this.padId = eosIds.length > 0 ? eosIds[0] : 0;
    }

    /** Recompute the whole sequence every step (the uncached baseline for benchmarks and tests). */
    public RolloutEngine withoutCache() {
        useCache = false;
        return this;
    }

    /** {@code n} completions for each prompt, ordered prompt by prompt, sample by sample. */
    public List<Completion> generate(List<int[]> prompts, SamplingParams params) {
        return generate(prompts, params, 0);
    }

    /**
     * As {@link #generate(List, SamplingParams)}, seeding the rows as if these prompts stood at positions
     * {@code firstPromptIndex, firstPromptIndex + 1, ...} of a longer request: a long list generated chunk by
     * chunk draws the same numbers as in one call. {@link Completion#promptIndex()} stays the index in
     * {@code prompts}.
     */
    public List<Completion> generate(List<int[]> prompts, SamplingParams params, int firstPromptIndex) {
        validate(prompts, params);
        try (NoGrad ignored = new NoGrad(); NDManager m = policy.manager().newSubManager()) {
            return run(m, prompts, params, firstPromptIndex);
        }
    }

    private void validate(List<int[]> prompts, SamplingParams params) {
        if (prompts.isEmpty()) {
            throw new ZerorlException("no prompts to generate from");
        }
        int context = policy.config().maxPositions;
        int vocab = policy.config().vocabSize;
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new ZerorlException("prompt " + i + " is empty: give at least one token");
            }
            if (p.length >= context) {
                throw new ZerorlException("prompt " + i + " has " + p.length + " tokens, at or beyond the model's context of "
                        + context + " (max_position_embeddings); shorten it");
            }
            for (int id : p) {
                if (id < 0 || id >= vocab) {
                    throw new ZerorlException("prompt " + i + " holds token id " + id + " outside the vocabulary (0.." + (vocab - 1) + ")");
                }
            }
        }
        if (!params.stopStrings().isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer to decode completions");
        }
    }

    /** Per-row generation state, indexed by global row (prompt * n + sample). */
    private static final class Row {
        final int prompt;
        final int sample;
        final int[] promptIds;
        final SplittableRandom rng;
        int[] tokens;
        float[] logprobs;
        int length;
        long nextPosition;
        FinishReason finish;
        String text = "";
        /** Detokenizes as tokens arrive (only when stop strings are set). */
        IncrementalDecoder detok;
        /** Length of the text already searched for stop strings. */
        int checkedChars;

        Row(int prompt, int sample, int[] promptIds, int maxNew, long rowSeed) {
            this.prompt = prompt;
            this.sample = sample;
            this.promptIds = promptIds;
            this.rng = new SplittableRandom(rowSeed);
            this.tokens = new int[maxNew];
            this.logprobs = new float[maxNew];
            this.nextPosition = promptIds.length;
        }

    }

    /**
     * The batch's device-side state between steps. The loop lives in small methods on purpose: one method
     * holding the whole loop is compiled by the JIT in one piece (on-stack replacement, everything inlined),
     * which took C2 about 40 MB of native scratch memory at the tiny model's batch 64 and kept 25-30 MB of it
     * resident afterwards.
     */
    private static final class Batch {
        final NDManager m;
        final Row[] state;
        final long[][] mask;
        final int promptLen;
        final int total;
        final KvCache cache;
        int[] active; // batch slot -> global row
        long[][] seqIds; // uncached: the whole sequence so far, per slot
        NDArray last;
        NDArray keyBias; // cached decoding: additive key mask (rows, 1, 1, total), built once on the device

        Batch(NDManager m, Row[] state, long[][] mask, int promptLen, int total, KvCache cache, long[][] seqIds) {
            this.m = m;
            this.state = state;
            this.mask = mask;
            this.promptLen = promptLen;
            this.total = total;
            this.cache = cache;
            this.seqIds = seqIds;
            this.active = new int[state.length];
            for (int r = 0; r < state.length; r++) {
                active[r] = r;
            }
        }
    }

    private List<Completion> run(NDManager m, List<int[]> prompts, SamplingParams params, int firstPromptIndex) {
        int n = params.n();
        int rows = prompts.size() * n;
        int promptLen = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int maxNew = Math.min(params.maxNewTokens(), policy.config().maxPositions - promptLen);
        int total = promptLen + maxNew;
        Row[] state = new Row[rows];
        long[][] ids = new long[rows][promptLen];
        long[][] mask = new long[rows][total];
        long[][] pos = new long[rows][promptLen];
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p);
            int pad = promptLen - prompt.length;
            for (int s = 0; s < n; s++) {
                int r = p * n + s;
                state[r] = new Row(p, s, prompt, maxNew, Seeds.row(params.seed(), firstPromptIndex + p, s));
                Arrays.fill(ids[r], padId);
                for (int t = 0; t < prompt.length; t++) {
                    ids[r][pad + t] = prompt[t];
                    mask[r][pad + t] = 1;
                    pos[r][pad + t] = t;
                }
            }
        }
        Sampler sampler = new Sampler(params);
        int[] stopIds = stopIds(params);
        StopStringMatcher stops = params.stopStrings().isEmpty() ? null : new StopStringMatcher(params.stopStrings());
        if (stops != null) {
            for (Row row : state) {
                row.detok = new IncrementalDecoder(decoder::decode);
            }
        }
        Batch batch = new Batch(m, state, mask, promptLen, total, useCache ? policy.newCache(m, rows, total) : null,
                useCache ? null : ids);
        prefill(batch, ids, pos);
        int done = 0;
        for (int t = 0; t < maxNew; t++) {
            done += record(batch, pick(batch, sampler), t, maxNew, stopIds, stops);
            if (done == rows) {
                break;
            }
            dropFinished(batch);
            decode(batch, t);
        }
        if (batch.cache != null) {
            batch.cache.close();
        }
        List<Completion> out = new ArrayList<>(rows);
        for (Row row : state) {
            int[] toks = Arrays.copyOf(row.tokens, row.length);
            String text = decoder == null ? "" : row.finish == FinishReason.STOP ? row.text : decoder.decode(toks);
            out.add(new Completion(row.prompt, row.sample, row.promptIds, toks, Arrays.copyOf(row.logprobs, row.length),
                    text, row.finish));
        }
        return out;
    }

    /** The prompt pass: fills the cache (if any), the last position's logits and the key mask of the decoding steps. */
    private void prefill(Batch b, long[][] ids, long[][] pos) {
        int rows = b.state.length;
        try (NDManager step = b.m.newSubManager()) {
            b.last = policy.lastLogits(step.create(ids), step.create(slice(b.mask, b.active, b.promptLen)),
                    step.create(pos), b.cache);
            b.last.attach(b.m);
            if (b.cache != null) {
                // Generated positions are real for every row; a finished row's later keys only affect its own
                // (discarded) outputs.
                long[][] keys = new long[rows][];
                for (int r = 0; r < rows; r++) {
                    keys[r] = Arrays.copyOf(b.mask[r], b.total);
                    Arrays.fill(keys[r], b.promptLen, b.total, 1);
                }
                b.keyBias = policy.paddingBias(step.create(keys));
                b.keyBias.attach(b.m);
            }
        }
    }

    /** One token per active slot from the last logits, with each row's own random number. */
    private static Sampler.Picked pick(Batch b, Sampler sampler) {
        double[] u = new double[b.active.length];
        for (int i = 0; i < b.active.length; i++) {
            u[i] = b.state[b.active[i]].rng.nextDouble();
        }
        try (NDManager step = b.m.newSubManager()) {
            b.last.attach(step);
            return sampler.pick(b.last, u);
        }
    }

    /** Appends step {@code t}'s tokens to the rows still running; returns how many rows finished now. */
    private int record(Batch b, Sampler.Picked picked, int t, int maxNew, int[] stopIds, StopStringMatcher stops) {
        int finishedNow = 0;
        for (int i = 0; i < b.active.length; i++) {
            Row row = b.state[b.active[i]];
            if (row.finish != null) {
                continue;
            }
            int tok = (int) picked.tokens()[i];
            row.tokens[row.length] = tok;
            row.logprobs[row.length] = picked.logprobs()[i];
            row.length++;
            b.mask[b.active[i]][b.promptLen + t] = 1;
            if (contains(stopIds, tok)) {
                row.finish = FinishReason.EOS;
            } else if (stops != null && stopStringHit(row, tok, stops)) {
                row.finish = FinishReason.STOP;
            } else if (row.length == maxNew) {
                row.finish = FinishReason.LENGTH;
            }
            if (row.finish != null) {
                finishedNow++;
            }
        }
        return finishedNow;
    }

    /** Drops finished rows from the batch (and the cache) once they make up a quarter of it. */
    private static void dropFinished(Batch b) {
        int stillRunning = 0;
        for (int r : b.active) {
            stillRunning += b.state[r].finish == null ? 1 : 0;
        }
        if (b.active.length - stillRunning < Math.max(1, b.active.length / 4)) {
            return;
        }
        int[] keep = new int[stillRunning];
        long[] keepSlots = new long[stillRunning];
        int k = 0;
        for (int i = 0; i < b.active.length; i++) {
            if (b.state[b.active[i]].finish == null) {
                keep[k] = b.active[i];
                keepSlots[k++] = i;
            }
        }
        if (b.cache != null) {
            try (NDManager step = b.m.newSubManager()) {
                NDArray slots = step.create(keepSlots);
                b.cache.keepRows(slots);
                NDArray kept = Ops.rows(b.keyBias.reshape(b.keyBias.getShape().get(0), b.total), slots)
                        .reshape(stillRunning, 1, 1, b.total);
                kept.attach(b.m);
                b.keyBias.close();
                b.keyBias = kept;
            }
        }
        if (b.seqIds != null) {
            long[][] kept = new long[stillRunning][];
            for (int i = 0; i < stillRunning; i++) {
                kept[i] = b.seqIds[(int) keepSlots[i]];
            }
            b.seqIds = kept;
        }
        b.active = keep;
    }

    /** Feeds each active slot's newest token (a finished row's pad) and keeps the next logits. */
    private void decode(Batch b, int t) {
        long[][] stepIds = new long[b.active.length][1];
        long[][] stepPos = new long[b.active.length][1];
        for (int i = 0; i < b.active.length; i++) {
            Row row = b.state[b.active[i]];
            stepIds[i][0] = row.finish == null ? row.tokens[row.length - 1] : padId;
            stepPos[i][0] = row.nextPosition++;
        }
        int seen = b.promptLen + t + 1;
        try (NDManager step = b.m.newSubManager()) {
            if (b.cache != null) {
                NDArray bias = Ops.slice(b.keyBias, 3, 0, seen);
                bias.attach(step);
                b.last = policy.decodeLogits(step.create(stepIds), step.create(stepPos), bias, b.cache);
            } else {
                b.seqIds = append(b.seqIds, stepIds);
                long[][] seenMask = slice(b.mask, b.active, seen);
                b.last = policy.lastLogits(step.create(b.seqIds), step.create(seenMask),
                        step.create(Policy.positionIds(seenMask)), null);
            }
            b.last.attach(b.m);
        }
    }

    /**
     * Feeds the new token to the row's incremental detokenizer and looks for a stop string in the text that
     * could hold a new match (the new characters plus the longest stop string before them; a character still
     * incomplete counts with what is known of it), so matches
     * spanning tokens are found without re-decoding the whole completion every step.
     */
    private static boolean stopStringHit(Row row, int token, StopStringMatcher stops) {
        String text = row.detok.add(token).isEmpty()
                ? row.detok.text() + row.detok.pending() // a character is incomplete: match what is known of it
                : row.detok.text();
        if (text.length() == row.checkedChars) {
            return false; // no new text, nothing new can match
        }
        int from = Math.min(row.checkedChars, text.length());
        row.checkedChars = text.length();
        Optional<StopStringMatcher.Match> hit = stops.find(text, from);
        hit.ifPresent(m -> row.text = m.truncated());
        return hit.isPresent();
    }

    private int[] stopIds(SamplingParams params) {
        int[] out = Arrays.copyOf(eosIds, eosIds.length + params.stopTokenIds().size());
        for (int i = 0; i < params.stopTokenIds().size(); i++) {
            out[eosIds.length + i] = params.stopTokenIds().get(i);
        }
        return out;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static long[][] slice(long[][] mask, int[] rows, int len) {
        long[][] out = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Arrays.copyOf(mask[rows[i]], len);
        }
        return out;
    }

    private static long[][] append(long[][] seq, long[][] next) {
        long[][] out = new long[seq.length][];
        for (int i = 0; i < seq.length; i++) {
            out[i] = Arrays.copyOf(seq[i], seq[i].length + 1);
            out[i][seq[i].length] = next[i][0];
        }
        return out;
    }
}
