package io.zerorl.train;

import io.zerorl.model.KvCache;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.ParamSpec;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a GRPO run will hold in device memory, from the recipe and the model's config.json alone (no weights loaded):
 * weights, the trainable part's gradients, fp32 masters (fp16) and AdamW moments, a reference model (beta &gt; 0 without
 * LoRA), the rollout batch's KV cache, and the activations of one micro-batch (with or without activation
 * checkpointing) with its vocabulary logits. Checked against the device before a run loads anything; when it does not
 * fit, {@link #advice} names the settings that would make it fit.
 *
 * <p>Activations are an estimate: per token and layer a layer keeps about {@code 20 h + 4 f + 3 k h + 2 n S} numbers for
 * its backward (h hidden, f the feed-forward width a token passes through, k experts per token (0 for a dense model),
 * n heads, S tokens per row), every layer's at once without checkpointing; with checkpointing the layer inputs plus
 * one layer recomputed and backpropagated, about 2.5 times its kept share. The vocabulary logits of the completion
 * tokens count about six times over (logits, log-softmax, their gradients, the loss's temporaries), and 512 MiB of
 * runtime. Calibrated on one GRPO update on the CPU ({@code scripts/bench-lora-memory.sh}, peak RSS in MiB, plan
 * beside it; full fine-tuning / LoRA r 16 / LoRA with checkpointing): a Qwen2.5-0.5B-shaped model, 4 rows of
 * 64 + 128 tokens: 11,383 / 6,956 / 4,327, plan 12,837 / 7,284 / 4,654; one row of 64 + 960 tokens: 12,912 / 10,073
 * / 5,460, plan 17,581 / 12,028 / 6,565; the rollout benchmark's MoE shape (640M parameters, 32 experts top-4, LoRA
 * r 4), 2 rows of 16 + 16: 10,207 / 2,859 / 2,783, plan 10,513 / 3,187 / 3,097. So the plan lands 3% to 36% above what
 * was measured (the long single row most). Until forward passes closed each layer's intermediates once used the kept
 * share was counted 2.5 times over for every layer, and the plan overstated runs without checkpointing by half or
 * more (which could refuse a run that fits). No GPU figures exist yet: PyTorch's caching allocator there keeps
 * slack of its own, which the runtime term has to cover.
 */
public record MemoryPlan(List<Item> items, long deviceBytes, String device) {
    /** One part of the plan. */
    public record Item(String what, long bytes, String note) {}

    static final long RUNTIME = 512L << 20;

    public long totalBytes() {
        return items.stream().mapToLong(Item::bytes).sum();
    }

    public boolean fits() {
        return totalBytes() <= deviceBytes;
    }

    /**
     * @param promptTokens the longest prompt of the run, in tokens
     * @param deviceBytes  what the device has (or the recipe allows)
     */
    public static MemoryPlan of(Recipe r, ModelConfig c, int promptTokens, long deviceBytes, String device) {
        int elem = r.train().precision().equals("float16") ? 2 : 4;
        long params = ParamSpec.counts(c)[0];
        boolean lora = r.lora().enabled();
        long trainable = lora ? adapterSize(c, r) : trainableSize(c, r.train().moe().freezeRouter());
        List<Item> items = new ArrayList<>();
        items.add(new Item("weights", params * elem, String.format(Locale.ROOT, "%,d parameters x %d B", params, elem)));
        String kind = lora ? "LoRA adapters (r " + r.lora().r() + ")" : "all trainable weights";
        items.add(new Item("gradients", trainable * elem, String.format(Locale.ROOT, "%,d: %s", trainable, kind)));
        if (elem == 2) {
            items.add(new Item("fp32 master weights", trainable * 4, "fp16 training keeps float32 copies"));
        }
        items.add(new Item("AdamW moments", trainable * 8, "two float32 numbers per trained parameter"));
        if (r.algo().beta() > 0 && !lora) {
            items.add(new Item("reference model", params * elem, "beta > 0 (LoRA would use the base itself)"));
        }
        long capacity = (long) promptTokens + r.rollout().maxNewTokens();
        long rows = (long) r.train().promptsPerStep() * r.train().groupSize();
        items.add(new Item("rollout KV cache", KvCache.bytes(c, rows, capacity, elem),
                rows + " rows x " + capacity + " tokens"));
        items.addAll(activations(r, c, promptTokens, elem));
        items.add(new Item("runtime", RUNTIME, "libraries, allocator slack"));
        return new MemoryPlan(List.copyOf(items), deviceBytes, device);
    }

    private static List<Item> activations(Recipe r, ModelConfig c, int promptTokens, int elem) {
        int mb = Math.min(r.train().microBatchSize(), r.train().promptsPerStep() * r.train().groupSize());
        long perRow = (long) promptTokens + r.rollout().maxNewTokens();
        long tokens = mb * perRow;
        long ffn = c.numExperts > 0 ? (long) (c.topK + c.numSharedExperts) * c.moeIntermediateSize : c.intermediateSize;
        // MoE dispatch also keeps each token's k gathered inputs, expert outputs and weighted outputs
        long dispatch = c.numExperts > 0 ? 3L * c.topK * c.hiddenSize : 0;
        // numbers a layer keeps per token for its backward; a layer being recomputed and backpropagated holds about
        // 2.5 times that at its peak
        double perTokenLayer = 20.0 * c.hiddenSize + 4.0 * ffn + dispatch + 2.0 * c.numHeads * perRow;
        List<Item> out = new ArrayList<>();
        if (r.train().activationCheckpointing()) {
            out.add(new Item("layer inputs (checkpointing)", tokens * c.hiddenSize * c.numLayers * elem,
                    tokens + " tokens x " + c.numLayers + " layers"));
            out.add(new Item("activations of one layer", (long) (2.5 * tokens * perTokenLayer * elem),
                    "recomputed layer by layer"));
        } else {
            out.add(new Item("activations", (long) (tokens * perTokenLayer * elem) * c.numLayers, mb + " rows x "
                    + perRow + " tokens x " + c.numLayers + " layers"));
        }
        out.add(new Item("logits of the completions", (long) mb * r.rollout().maxNewTokens() * c.vocabSize * elem * 6,
                mb + " x " + r.rollout().maxNewTokens() + " x vocabulary " + c.vocabSize));
        return out;
    }

    private static long adapterSize(ModelConfig c, Recipe r) {
        long n = 0;
        for (long[] shape : LoraAdapters.targets(c, r.lora()).values()) {
            n += (long) r.lora().r() * (shape[0] + shape[1]);
        }
        return n;
    }

    private static long trainableSize(ModelConfig c, boolean freezeRouter) {
        long n = 0;
        for (ParamSpec p : ParamSpec.of(c)) {
            if (p.role().trainable() && !(freezeRouter && p.role() == ParamSpec.Role.ROUTER)) {
                n += p.numel();
            }
        }
        return n;
    }

    /** The plan as a table, with the device's memory and whether it fits. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        for (Item i : items) {
            sb.append(String.format(Locale.ROOT, "  %-30s %10s  %s%n", i.what(), gb(i.bytes()), i.note()));
        }
        sb.append(String.format(Locale.ROOT, "  %-30s %10s  %s: %s (%s)%n", "total", gb(totalBytes()), device,
                gb(deviceBytes), fits() ? "fits" : "does NOT fit"));
        return sb.toString();
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /**
     * Settings that would make a run fit, each checked with this plan, the least disruptive first. Switches that keep
     * the algorithm's numbers (activation checkpointing, a smaller micro-batch) come before ones that change what is
     * trained or how (float16 on a GPU, LoRA), and fewer rollout rows per step only when nothing else is enough. Single
     * changes that fit are listed; when none does, each combination of switches with the largest micro-batch that fits
     * it, the combinations with fewer switches first (at most four). Empty when nothing tried fits.
     */
    public static List<String> advice(Recipe r, ModelConfig c, int promptTokens, long deviceBytes, boolean gpu) {
        List<List<String>> switches = new ArrayList<>();
        if (!r.train().activationCheckpointing()) {
            switches.add(List.of("train.activation_checkpointing=true"));
        }
        if (gpu && !r.train().precision().equals("float16")) {
            switches.add(List.of("train.precision=float16"));
        }
        if (!r.lora().enabled()) {
            switches.add(List.of("lora.r=16", "lora.alpha=32"));
        }
        List<List<String>> microBatches = new ArrayList<>();
        microBatches.add(List.of());
        for (int mb = r.train().microBatchSize() / 2; mb >= 1; mb /= 2) {
            microBatches.add(List.of("train.micro_batch_size=" + mb));
        }
        List<List<String>> fixes = new ArrayList<>();
        for (List<String> sw : switches) {
            addIfFits(fixes, r, c, promptTokens, deviceBytes, sw);
        }
        for (List<String> mb : microBatches.subList(1, microBatches.size())) {
            addIfFits(fixes, r, c, promptTokens, deviceBytes, mb);
        }
        List<List<String>> prompts = new ArrayList<>();
        prompts.add(List.of());
        for (int p = r.train().promptsPerStep() / 2; p >= 1; p /= 2) {
            prompts.add(List.of("train.prompts_per_step=" + p));
        }
        for (int i = 0; i < prompts.size() && fixes.isEmpty(); i++) {
            for (List<String> sw : subsets(switches)) {
                for (List<String> mb : microBatches) {
                    List<String> set = new ArrayList<>(sw);
                    set.addAll(mb);
                    set.addAll(prompts.get(i));
                    if (!set.isEmpty() && addIfFits(fixes, r, c, promptTokens, deviceBytes, set)) {
                        break;
                    }
                }
            }
        }
        return fixes.stream().limit(4).map(set -> String.join(" ", set.stream().map(x -> "--set " + x).toList())
                + "  (" + gb(of(RecipeLoader.withOverrides(r, set), c, promptTokens, deviceBytes, "").totalBytes()) + ")")
                .toList();
    }

    /** Every combination of the switches, the empty one first, fewer switches first, in the switches' order. */
    private static List<List<String>> subsets(List<List<String>> switches) {
        List<List<String>> out = new ArrayList<>();
        for (int count = 0; count <= switches.size(); count++) {
            for (int mask = 0; mask < 1 << switches.size(); mask++) {
                if (Integer.bitCount(mask) == count) {
                    List<String> set = new ArrayList<>();
                    for (int b = 0; b < switches.size(); b++) {
                        if ((mask & 1 << b) != 0) {
                            set.addAll(switches.get(b));
                        }
                    }
                    out.add(set);
                }
            }
        }
        return out;
    }

    private static boolean addIfFits(List<List<String>> fixes, Recipe r, ModelConfig c, int promptTokens,
                                     long deviceBytes, List<String> set) {
        boolean fits = of(RecipeLoader.withOverrides(r, set), c, promptTokens, deviceBytes, "").fits();
        if (fits) {
            fixes.add(List.copyOf(set));
        }
        return fits;
    }
}
