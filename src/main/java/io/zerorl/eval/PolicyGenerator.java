package io.zerorl.eval;

import io.zerorl.data.PromptTemplate;
import io.zerorl.model.Policy;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.List;

/**
 * Completions from a {@link Policy}: encodes each prompt (BOS as the tokenizer config says), samples with
 * the {@link RolloutEngine} (KV cache, per-row seeds, so a seed reproduces the samples) and decodes with
 * special tokens skipped. Works on a policy that is being trained: it reads the current weights, and the
 * rollout engine turns grad mode off on the calling thread (docs/DJL-NOTES.md, hazard 5). Neither the policy nor the
 * tokenizer is closed here; their owner closes them.
 */
public final class PolicyGenerator implements CompletionSource {
    private final Policy policy;
    private final Tokenizer tokenizer;
    private final String label;

    public PolicyGenerator(Policy policy, Tokenizer tokenizer, String label) {
        this.policy = policy;
        this.tokenizer = tokenizer;
        this.label = label;
    }

    public PolicyGenerator(Policy policy, Tokenizer tokenizer) {
        this(policy, tokenizer, tokenizer.name());
    }

    @Override
    public List<List<Sample>> generate(List<Request> requests, SamplingParams params) {
        List<int[]> ids = encode(tokenizer, requests, policy.config().maxPositions);
        RolloutEngine engine = new RolloutEngine(policy, t -> tokenizer.decode(t, true), tokenizer.eosTokenIds());
        return group(engine.generate(ids, params), requests.size(), params.n());
    }

    /** The prompts as ids (BOS as the tokenizer config says); a prompt that fills the context is an error naming it. */
    public static List<int[]> encode(Tokenizer tokenizer, List<Request> requests, int context) {
        List<int[]> ids = new ArrayList<>(requests.size());
        for (Request r : requests) {
            int[] p = tokenizer.encodeWithBos(r.prompt());
            if (p.length >= context) {
                throw new ZerorlException("the prompt of problem " + r.problem().id() + " has " + p.length
                        + " tokens, at or beyond the model's context of " + context
                        + "; use a shorter prompt template (--template plain) or skip the problem");
            }
            ids.add(p);
        }
        return ids;
    }

    /** Completions (prompt by prompt, sample by sample) as samples per request. */
    public static List<List<Sample>> group(List<Completion> out, int requests, int n) {
        List<List<Sample>> grouped = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            grouped.add(new ArrayList<>(n));
        }
        for (Completion c : out) { // ordered prompt by prompt, sample by sample
            grouped.get(c.promptIndex()).add(new Sample(c.text(), c.length(), c.finishReason().label()));
        }
        return grouped;
    }

    @Override
    public PromptTemplate.ChatFormatter chatFormatter() {
        return chatFormatter(tokenizer);
    }

    /** The tokenizer's chat template as a formatter, or null when it has none. */
    public static PromptTemplate.ChatFormatter chatFormatter(Tokenizer tokenizer) {
        if (!tokenizer.hasChatTemplate()) {
            return null;
        }
        return (system, user) -> {
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) {
                messages.add(ChatMessage.system(system));
            }
            messages.add(ChatMessage.user(user));
            return tokenizer.applyChatTemplate(messages, true);
        };
    }

    @Override
    public String describe() {
        return label;
    }
}
