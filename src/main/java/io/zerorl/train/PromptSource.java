package io.zerorl.train;

import io.zerorl.data.DataDirs;
import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetDescriptor;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.data.DatasetRow;
import io.zerorl.data.PromptFile;
import io.zerorl.data.PromptTemplate;
import io.zerorl.data.PromptTemplates;
import io.zerorl.recipe.Recipe;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training prompts and the order they are drawn in. The order is a pure function of (seed, epoch): epoch e
 * is a Fisher-Yates shuffle seeded by mix(seed, e), and the {@code cursor}-th prompt drawn overall is
 * {@code perm(cursor / n)[cursor % n]}, so a resumed run only needs the cursor.
 */
public final class PromptSource {
    /**
     * One training problem: the rendered prompt, the row fields rewards read (gold answer etc.), and the question
     * before the template (what distillation re-renders with a student's template; null when unknown).
     */
    public record Item(String prompt, Map<String, Object> fields, String question) {
        public Item(String prompt, Map<String, Object> fields) {
            this(prompt, fields, null);
        }
    }

    private final List<Item> items;
    private final long seed;
    private int cachedEpoch = -1;
    private int[] cachedPerm;

    public PromptSource(List<Item> items, long seed) {
        if (items.isEmpty()) {
            throw new ZerorlException("the training dataset has no rows");
        }
        this.items = List.copyOf(items);
        this.seed = seed;
    }

    /** Loads rows as the recipe says, rendering chat prompts with {@code tokenizer}'s chat template when it has one. */
    public static PromptSource load(Recipe.Data data, Tokenizer tokenizer, long seed) {
        return load(data, tokenizer.hasChatTemplate() ? (sys, user) -> chat(tokenizer, sys, user) : null, seed);
    }

    /** The tokenizer's chat template over an optional system message and one user message, ready for the answer. */
    static String chat(Tokenizer tok, String system, String user) {
        List<ChatMessage> msgs = new ArrayList<>();
        if (system != null) {
            msgs.add(ChatMessage.system(system));
        }
        msgs.add(ChatMessage.user(user));
        return tok.applyChatTemplate(msgs, true);
    }

    /** Loads rows as the recipe says (validated before: {@code RecipeValidator} reads the same {@link PromptFile}). */
    public static PromptSource load(Recipe.Data data, PromptTemplate.ChatFormatter chat, long seed) {
        PromptTemplate template = PromptTemplates.get(data.template(), chat);
        List<Item> items = new ArrayList<>();
        if (data.dataset() != null) {
            DatasetDescriptor d = DatasetRegistry.builtin().get(data.dataset());
            Dataset ds = DatasetRegistry.load(d, DataDirs.resolve(data.dataDir() == null ? null : Path.of(data.dataDir())));
            for (DatasetRow r : PromptFile.first(ds.rows(), data.maxRows())) {
                Map<String, Object> fields = new LinkedHashMap<>(r.fields());
                fields.put("answer", d.goldAnswer(r));
                items.add(new Item(template.render(d.question(r)), fields, d.question(r)));
            }
        } else {
            if (data.path() == null) {
                throw new ZerorlException("data.path (a JSONL file) or data.dataset (one of "
                        + String.join(", ", DatasetRegistry.BUILTIN) + ") must be set");
            }
            for (DatasetRow r : PromptFile.read(Path.of(data.path()), data.promptField(), data.maxRows())) {
                String q = r.getText(data.promptField());
                items.add(new Item(template.render(q), r.fields(), q));
            }
        }
        return new PromptSource(items, seed);
    }

    public int size() {
        return items.size();
    }

    /** The longest prompt in tokens under {@code encode} (what the memory plan sizes the KV cache for). */
    public int longestPrompt(java.util.function.Function<String, int[]> encode) {
        int max = 0;
        for (Item it : items) {
            max = Math.max(max, encode.apply(it.prompt()).length);
        }
        return max;
    }

    /** The {@code cursor}-th item drawn (0-based, over all epochs). */
    public Item get(long cursor) {
        int n = items.size();
        int epoch = (int) (cursor / n);
        if (epoch != cachedEpoch) {
            cachedPerm = permutation(n, Seeds.mix(seed, epoch));
            cachedEpoch = epoch;
        }
        return items.get(cachedPerm[(int) (cursor % n)]);
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

}
