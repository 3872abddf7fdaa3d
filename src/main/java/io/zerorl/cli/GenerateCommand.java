package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.model.Policy;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.cluster.ChunkResult;
import io.zerorl.cluster.ClusterConfig;
import io.zerorl.cluster.ModelSpec;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code zerorl generate}: sample completions from a model, for one prompt or a JSONL file of prompts, with
 * the rollout engine used in training (KV cache, temperature / top-p / top-k / min-p, stop strings).
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Sample completions for a prompt, or for every line of a JSONL file.",
        footer = {"",
            "Input lines (--input): {\"prompt\": \"text\"}, {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}",
            "(always rendered with the chat template) or {\"prompt_ids\": [1, 2, 3]} (token ids, no tokenizer needed).",
            "Output lines: prompt_index, sample_index, text, token_ids, logprobs, finish_reason (eos|stop|length).",
            "Log-probs are log_softmax(logits / temperature) of each generated token (1 when --greedy), as in TRL.",
            "Samples are reproducible: row (prompt i, sample j) draws from its own generator seeded by (--seed, i, j).",
            "",
            "Examples:",
            "  ./zerorl generate --model ../shared/fixtures/hf-tiny/qwen2-tiny --prompt \"2 + 2 =\" \\",
            "      --n 4 --temperature 0.7",
            "  ./zerorl generate --model runs/quickstart/export --chat --greedy \\",
            "      --prompt \"what is 4+7+2?\" --stop \"</answer>\"",
            "  ./zerorl generate --model ../shared/fixtures/hf-tiny/qwen2-tiny \\",
            "      --input datasets/samples/generate_prompts.jsonl --output /tmp/completions.jsonl \\",
            "      --n 8 --top-p 0.95 --max-new-tokens 32"})
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options = new ModelOptions();

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--prompt", description = "One prompt (text).")
    String prompt;

    @Option(names = "--input", description = "JSONL file of prompts (see below).")
    Path input;

    @Option(names = "--output", description = "Write completions as JSONL here (default: stdout; text for --prompt).")
    Path output;

    @Option(names = "--chat", description = "Render text prompts with the model's chat template (as a user turn).")
    boolean chat;

    @Option(names = "--n", defaultValue = "1", description = "Completions per prompt (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--greedy", description = "Greedy decoding (ignores temperature and filters).")
    boolean greedy;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling; 1 disables (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 disables (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--min-p", defaultValue = "0.0", description = "Drop tokens below min_p x the top probability; 0 disables (default ${DEFAULT-VALUE}).")
    double minP;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Tokens to generate at most (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--stop", description = "Stop string (repeatable); the text is cut before it.")
    List<String> stops = new ArrayList<>();

    @Option(names = "--batch-size", defaultValue = "32", description = "Prompts per batch in --input mode (default ${DEFAULT-VALUE}).")
    int batchSize;

    /** One prompt: its text (null for ids given directly) and token ids. */
    private record Prompt(String text, int[] ids) {}

    /**
     * One request as given, before encoding: exactly one of plain text (chat-templated with --chat), a JSON list of
     * chat messages (always chat-templated; read once a tokenizer is known to exist) or token ids. {@code where} names
     * the input line, null for --prompt.
     */
    private record Request(String text, JsonNode messages, int[] ids, String where) {}

    @Override
    public Integer call() {
        if ((prompt == null) == (input == null)) {
            throw new ZerorlException("give exactly one of --prompt TEXT or --input FILE.jsonl");
        }
        if (batchSize < 1) {
            throw new ZerorlException("--batch-size must be >= 1, got " + batchSize);
        }
        SamplingParams params = greedy
                ? new SamplingParams(false, 1.0, 1.0, 0, 0.0, maxNewTokens, List.of(), stops, n, options.seed)
                : new SamplingParams(true, temperature, topP, topK, minP, maxNewTokens, List.of(), stops, n, options.seed);
        String model = options.model();
        Device dev = options.device();
        DataType type = options.dtype();
        // built-in models have no tokenizer yet; a model folder without tokenizer.json can still take prompt_ids
        Tokenizer tok = ModelRef.isBuiltin(model) || !Files.isRegularFile(ModelRef.dir(model).resolve("tokenizer.json"))
                ? null : Tokenizer.load(ModelRef.dir(model));
        try (tok) {
            List<Prompt> prompts = prompt != null ? List.of(encode(tok, new Request(prompt, null, null, null)))
                    : readInput(tok);
            if (tok == null && !stops.isEmpty()) {
                throw new ZerorlException(model + " has no tokenizer, so --stop strings cannot be matched; drop --stop");
            }
            if (cluster.enabled()) {
                if (tok == null) {
                    throw new ZerorlException("--master needs a model folder with its tokenizer (the executors decode"
                            + " completions): " + model + " has none");
                }
                ModelSpec spec = new ModelSpec(ModelRef.dir(model).toAbsolutePath().toString(), options.compute.device,
                        options.compute.dtype, options.adapter == null ? null : options.adapter.toAbsolutePath().toString());
                try (ScaleOut c = ScaleOut.open(cluster.over(ClusterConfig.defaults()), spec, "zerorl generate",
                        ClusterOptions.threads())) {
                    Batches gen = batches -> c.generate(batches).stream().map(ChunkResult::completions).toList();
                    if (prompt != null && output == null) {
                        printText(gen.run(List.of(new ScaleOut.Request(List.of(prompts.get(0).ids()), params, 0))).get(0),
                                System.out);
                    } else {
                        writeJsonl(gen, 2 * Math.max(1, c.executors()), prompts, params);
                    }
                }
                return 0;
            }
            try (Policy policy = options.withAdapter(ModelRef.load(model, dev, type, options.seed))) {
                int[] eos = tok != null ? tok.eosTokenIds()
                        : policy.config().eosTokenId >= 0 ? new int[] {policy.config().eosTokenId} : new int[0];
                RolloutEngine engine = new RolloutEngine(policy, tok == null ? null : ids -> tok.decode(ids, true), eos);
                if (prompt != null && output == null) {
                    printText(engine.generate(List.of(prompts.get(0).ids()), params), System.out);
                } else {
                    writeJsonl(batches -> batches.stream().map(b -> engine.generate(b.prompts(), b.params(),
                            b.firstPrompt())).toList(), 1, prompts, params);
                }
            }
        }
        return 0;
    }

    /** The one path from a request to token ids, for --prompt and for every --input line alike. */
    private Prompt encode(Tokenizer tok, Request r) {
        if (r.ids() != null) {
            return new Prompt(null, r.ids());
        }
        if (tok == null) {
            throw new ZerorlException(needsTokenizer(r));
        }
        List<ChatMessage> messages = r.messages() != null ? messages(r.messages(), r.where())
                : chat ? List.of(ChatMessage.user(r.text())) : null;
        if (messages != null) {
            String rendered = tok.applyChatTemplate(messages, true);
            return new Prompt(rendered, tok.encode(rendered)); // the template writes any BOS itself
        }
        return new Prompt(r.text(), tok.encodeWithBos(r.text()));
    }

    /** Why a text or messages request cannot be encoded without a tokenizer, and what to give instead. */
    private String needsTokenizer(Request r) {
        if (r.where() == null) {
            return options.model() + " has no tokenizer yet (" + noTokenizer() + "): give token ids with --input"
                    + " FILE.jsonl holding {\"prompt_ids\": [...]} lines, or use a model directory with tokenizer.json";
        }
        if (r.messages() != null) {
            return r.where() + ": 'messages' need a tokenizer with a chat template, and " + options.model()
                    + " has none; give {\"prompt_ids\": [...]} instead";
        }
        return r.where() + ": " + options.model() + " has no tokenizer yet (" + noTokenizer()
                + "), so text prompts cannot be encoded; give {\"prompt_ids\": [...]} instead";
    }

    private String noTokenizer() {
        return ModelRef.isBuiltin(options.model()) ? "built-in models come without one" : "no tokenizer.json in the folder";
    }

    private List<Prompt> readInput(Tokenizer tok) {
        List<String> lines;
        try {
            lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ZerorlException("cannot read " + input + ": " + e.getMessage(), e);
        }
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = input + " line " + (i + 1);
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new ZerorlException(where + " is not JSON: " + e.getOriginalMessage());
            }
            out.add(encode(tok, request(node, where))); // encoded line by line: the first bad line is the one reported
        }
        if (out.isEmpty()) {
            throw new ZerorlException(input + " holds no prompts");
        }
        return out;
    }

    /** An --input line as a request (its fields checked; encoding is {@link #encode}'s). */
    private static Request request(JsonNode node, String where) {
        if (node.has("prompt_ids")) {
            return new Request(null, null, ids(node.get("prompt_ids"), where), where);
        }
        if (node.has("messages")) {
            return new Request(null, node.get("messages"), null, where);
        }
        if (node.has("prompt")) {
            if (!node.get("prompt").isTextual()) {
                throw new ZerorlException(where + ": 'prompt' must be a string");
            }
            return new Request(node.get("prompt").asText(), null, null, where);
        }
        throw new ZerorlException(where + ": expected a \"prompt\", \"messages\" or \"prompt_ids\" field");
    }

    private static int[] ids(JsonNode node, String where) {
        if (!node.isArray() || node.isEmpty()) {
            throw new ZerorlException(where + ": 'prompt_ids' must be a non-empty list of integers");
        }
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).canConvertToInt()) {
                throw new ZerorlException(where + ": prompt_ids[" + i + "] is not an integer: " + node.get(i));
            }
            out[i] = node.get(i).asInt();
        }
        return out;
    }

    private static List<ChatMessage> messages(JsonNode node, String where) {
        if (!node.isArray() || node.isEmpty()) {
            throw new ZerorlException(where + ": 'messages' must be a non-empty list of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : node) {
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new ZerorlException(where + ": every message needs a string 'role', got " + m);
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            m.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("role") && !e.getKey().equals("content")) {
                    extra.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
                }
            });
            out.add(new ChatMessage(m.get("role").asText(), m.path("content").isNull() ? null : m.path("content").asText(), extra));
        }
        return out;
    }

    /** Completions of several batches (prompt indices within each batch): in this process, or one task each. */
    @FunctionalInterface
    private interface Batches {
        List<List<Completion>> run(List<ScaleOut.Request> batches);
    }

    private void writeJsonl(Batches engine, int batchesAtOnce, List<Prompt> prompts, SamplingParams params) {
        Path tmp = null;
        try {
            Writer w;
            if (output != null) {
                Path dir = output.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                tmp = Files.createTempFile(dir, output.getFileName().toString(), ".tmp");
                w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
            } else {
                w = new BufferedWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8));
            }
            int written = 0;
            // progress only when the completions go to a file: on stdout a bar would break the JSONL
            try (Progress bar = output != null ? Progress.open("generate", prompts.size(), 0, System.err::println)
                    : Progress.plain("generate", prompts.size(), 0, s -> { })) {
                // batches are seeded by their first prompt's index, so a wave of them (one task each on a cluster)
                // gives what one batch at a time gives
                for (int wave = 0; wave < prompts.size(); wave += batchSize * batchesAtOnce) {
                    List<ScaleOut.Request> requests = new ArrayList<>();
                    for (int start = wave; start < Math.min(prompts.size(), wave + batchSize * batchesAtOnce);
                         start += batchSize) {
                        List<Prompt> chunk = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
                        requests.add(new ScaleOut.Request(chunk.stream().map(Prompt::ids).toList(), params, start));
                    }
                    List<List<Completion>> out = engine.run(requests);
                    for (int b = 0; b < requests.size(); b++) {
                        int start = requests.get(b).firstPrompt();
                        for (Completion c : out.get(b)) {
                            w.write(line(c, start + c.promptIndex()).toString());
                            w.write('\n');
                            written++;
                        }
                    }
                    w.flush();
                    int done = Math.min(prompts.size(), wave + batchSize * batchesAtOnce);
                    bar.update(done, written + " completions",
                            String.format(Locale.ROOT, "generated %d / %d prompts", done, prompts.size()));
                }
            }
            if (output != null) {
                w.close();
                Files2.moveAtomically(tmp, output);
                tmp = null;
                System.err.println("wrote " + written + " completions to " + output);
            } else {
                w.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + (output != null ? output : "stdout") + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file is named after the output
                }
            }
        }
    }

    private static ObjectNode line(Completion c, int promptIndex) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("prompt_index", promptIndex);
        o.put("sample_index", c.sampleIndex());
        o.put("text", c.text());
        ArrayNode ids = o.putArray("token_ids");
        for (int id : c.tokenIds()) {
            ids.add(id);
        }
        ArrayNode lp = o.putArray("logprobs");
        for (float f : c.logprobs()) {
            lp.add(f);
        }
        o.put("finish_reason", c.finishReason().label());
        return o;
    }

    private static void printText(List<Completion> done, PrintStream out) {
        for (Completion c : done) {
            if (done.size() > 1) {
                out.printf(Locale.ROOT, "--- sample %d (%s, %d tokens) ---%n", c.sampleIndex(), c.finishReason().label(), c.length());
            }
            out.println(c.text());
        }
        if (done.size() == 1) {
            System.err.printf(Locale.ROOT, "(%s, %d tokens)%n", done.get(0).finishReason().label(), done.get(0).length());
        }
    }
}
