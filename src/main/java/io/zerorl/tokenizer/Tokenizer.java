package io.zerorl.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face tokenizer folder: {@code tokenizer.json} (encoding, through DJL's native tokenizers),
 * {@code tokenizer_config.json} (special tokens, chat template), {@code generation_config.json} and
 * {@code config.json} (EOS/BOS/PAD ids). Never adds special tokens behind the caller's back: {@link #encode}
 * encodes exactly the text; {@link #encodeWithBos} adds BOS only when the config says {@code add_bos_token}.
 */
public final class Tokenizer implements AutoCloseable {
    private final String name;
    private final HuggingFaceTokenizer hf;
    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final Set<Integer> specialIds;
    private final int[] eosIds;
    private final Integer padId;
    private final Integer bosId;
    private final boolean addBos;
    private final Map<String, String> specialStrings;
    private final Map<String, ChatTemplate> templates;

    private Tokenizer(String name, HuggingFaceTokenizer hf, Map<String, Integer> vocab, Set<Integer> specialIds,
                      int[] eosIds, Integer padId, Integer bosId, boolean addBos,
                      Map<String, String> specialStrings, Map<String, ChatTemplate> templates) {
        this.name = name;
        this.hf = hf;
        this.vocab = vocab;
        this.specialIds = specialIds;
        this.eosIds = eosIds;
        this.padId = padId;
        this.bosId = bosId;
        this.addBos = addBos;
        this.specialStrings = specialStrings;
        this.templates = templates;
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.idToToken = new String[size];
        vocab.forEach((t, id) -> idToToken[id] = t);
    }

    /** Loads the tokenizer files of a model folder (or a tokenizer-only folder). */
    public static Tokenizer load(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new ZerorlException("Tokenizer folder not found: " + modelDir
                    + " (expected a Hugging Face model folder holding tokenizer.json)");
        }
        String name = modelDir.getFileName().toString();
        Path tokFile = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokFile)) {
            throw new ZerorlException("No tokenizer.json in " + modelDir
                    + " (zerorl needs the fast-tokenizer file; save it with transformers' tokenizer.save_pretrained)");
        }
        JsonNode tokJson = Json.readTree(tokFile);
        Map<String, Integer> vocab = readVocab(tokJson, tokFile);
        Set<Integer> specialIds = new LinkedHashSet<>();
        for (JsonNode t : tokJson.path("added_tokens")) {
            vocab.put(t.path("content").asText(), t.path("id").asInt());
            if (t.path("special").asBoolean(false)) {
                specialIds.add(t.path("id").asInt());
            }
        }

        JsonNode cfg = optionalJson(modelDir.resolve("tokenizer_config.json"));
        JsonNode gen = optionalJson(modelDir.resolve("generation_config.json"));
        JsonNode model = optionalJson(modelDir.resolve("config.json"));
        for (var it = cfg.path("added_tokens_decoder").fields(); it.hasNext(); ) {
            var e = it.next();
            int id = parseId(e.getKey(), "tokenizer_config.json added_tokens_decoder", modelDir);
            vocab.putIfAbsent(e.getValue().path("content").asText(), id);
            if (e.getValue().path("special").asBoolean(false)) {
                specialIds.add(id);
            }
        }

        Map<String, String> specialStrings = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            tokenString(cfg.get(key)).ifPresent(s -> specialStrings.put(key, s));
        }

        // EOS: generation_config (what HF generate stops on) plus the tokenizer's eos_token; config.json last.
        Set<Integer> eos = new LinkedHashSet<>(ids(gen.get("eos_token_id")));
        Optional.ofNullable(specialStrings.get("eos_token")).map(vocab::get).ifPresent(eos::add);
        if (eos.isEmpty()) {
            eos.addAll(ids(model.get("eos_token_id")));
        }
        if (eos.isEmpty()) {
            throw new ZerorlException("No EOS token for " + modelDir + ": set eos_token in tokenizer_config.json"
                    + " or eos_token_id in generation_config.json / config.json");
        }
        Integer pad = firstId(vocab, specialStrings.get("pad_token"), gen.get("pad_token_id"), model.get("pad_token_id"));
        Integer bos = firstId(vocab, specialStrings.get("bos_token"), gen.get("bos_token_id"), model.get("bos_token_id"));
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        for (int id : eos) {
            if (id < 0 || id >= size) {
                throw new ZerorlException("EOS id " + id + " of " + modelDir + " is outside the vocabulary (size "
                        + size + ")");
            }
        }

        Map<String, ChatTemplate> templates = readTemplates(cfg, modelDir);
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false",
                "padding", "false", "withOverflowingTokens", "false");
        HuggingFaceTokenizer hf;
        try {
            // Path overload: the String overload downloads from the hub even when offline (docs/DJL-NOTES.md, hazard 10).
            hf = HuggingFaceTokenizer.newInstance(tokFile, options);
        } catch (IOException | RuntimeException e) {
            throw new ZerorlException("Cannot load " + tokFile + ": " + e.getMessage(), e);
        }
        return new Tokenizer(name, hf, vocab, specialIds, eos.stream().mapToInt(Integer::intValue).toArray(), pad,
                bos, cfg.path("add_bos_token").asBoolean(false) && bos != null, specialStrings, templates);
    }

    private static Map<String, Integer> readVocab(JsonNode tok, Path file) {
        JsonNode v = tok.path("model").path("vocab");
        Map<String, Integer> vocab = new HashMap<>();
        if (v.isObject()) { // BPE, WordPiece, WordLevel: token -> id
            v.fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        } else if (v.isArray()) { // Unigram: [[piece, score], ...], id = position
            for (int i = 0; i < v.size(); i++) {
                vocab.put(v.get(i).get(0).asText(), i);
            }
        } else {
            throw new ZerorlException("Malformed " + file + ": model.vocab is missing");
        }
        return vocab;
    }

    private static JsonNode optionalJson(Path file) {
        return Files.exists(file) ? Json.readTree(file) : Json.MAPPER.createObjectNode();
    }

    private static int parseId(String s, String where, Path dir) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ZerorlException("Malformed " + where + " in " + dir + ": key '" + s + "' is not a token id");
        }
    }

    /** A special token is written either as a string or as an AddedToken object {@code {"content": ...}}. */
    private static Optional<String> tokenString(JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        return Optional.of(n.isObject() ? n.path("content").asText() : n.asText());
    }

    private static List<Integer> ids(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(x -> out.add(x.asInt()));
        } else if (n != null && n.isNumber()) {
            out.add(n.asInt());
        }
        return out;
    }

    private static Integer firstId(Map<String, Integer> vocab, String token, JsonNode... fallbacks) {
        if (token != null && vocab.containsKey(token)) {
            return vocab.get(token);
        }
        for (JsonNode f : fallbacks) {
            List<Integer> l = ids(f);
            if (!l.isEmpty()) {
                return l.get(0);
            }
        }
        return null;
    }

    /** chat_template: a string, a list of {name, template}, or (newer transformers) chat_template.jinja. */
    private static Map<String, ChatTemplate> readTemplates(JsonNode cfg, Path dir) {
        Map<String, ChatTemplate> out = new LinkedHashMap<>();
        JsonNode t = cfg.get("chat_template");
        String origin = dir.getFileName() + "/tokenizer_config.json";
        if (t != null && t.isTextual()) {
            out.put("default", new ChatTemplate(t.asText(), origin));
        } else if (t != null && t.isArray()) {
            for (JsonNode e : t) {
                if (!e.path("name").isTextual() || !e.path("template").isTextual()) {
                    throw new ZerorlException("Malformed chat_template in " + dir.resolve("tokenizer_config.json")
                            + ": list entries need 'name' and 'template' strings");
                }
                out.put(e.get("name").asText(), new ChatTemplate(e.get("template").asText(), origin + " (" + e.get("name").asText() + ")"));
            }
        } else {
            Path jinja = dir.resolve("chat_template.jinja");
            Path json = dir.resolve("chat_template.json");
            try {
                if (Files.isRegularFile(jinja)) {
                    out.put("default", new ChatTemplate(Files.readString(jinja), dir.getFileName() + "/chat_template.jinja"));
                } else if (Files.isRegularFile(json) && Json.readTree(json).path("chat_template").isTextual()) {
                    out.put("default", new ChatTemplate(Json.readTree(json).get("chat_template").asText(),
                            dir.getFileName() + "/chat_template.json"));
                }
            } catch (IOException e) {
                throw new ZerorlException("Cannot read " + jinja + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Token ids of {@code text}, with no BOS/EOS or other special tokens added. */
    public int[] encode(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** {@link #encode} with BOS prepended when tokenizer_config.json sets add_bos_token and it is not already there. */
    public int[] encodeWithBos(String text) {
        int[] ids = encode(text);
        if (!addBos || (ids.length > 0 && ids[0] == bosId)) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bosId;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i]);
            l[i] = ids[i];
        }
        return hf.decode(l, skipSpecialTokens);
    }

    private void checkId(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new ZerorlException("token id " + id + " is not in the vocabulary of " + name
                    + " (size " + idToToken.length + ")");
        }
    }

    public int[] eosTokenIds() {
        return eosIds.clone();
    }

    public boolean isEos(int id) {
        for (int e : eosIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    public OptionalInt padTokenId() {
        return padId == null ? OptionalInt.empty() : OptionalInt.of(padId);
    }

    public OptionalInt bosTokenId() {
        return bosId == null ? OptionalInt.empty() : OptionalInt.of(bosId);
    }

    /** Tokenizer vocabulary including added tokens (HF {@code len(tokenizer)}); the model's embedding may be larger. */
    public int vocabSize() {
        return idToToken.length;
    }

    public OptionalInt tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The token's vocabulary string (HF {@code convert_ids_to_tokens}, e.g. {@code "Ġthe"} in byte-level BPE). */
    public String tokenText(int id) {
        checkId(id);
        return idToToken[id];
    }

    public boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    public String name() {
        return name;
    }

    public boolean hasChatTemplate() {
        return templates.containsKey("default");
    }

    /** Named templates (e.g. "default", "tool_use") when tokenizer_config.json lists several. */
    public Set<String> chatTemplateNames() {
        return templates.keySet();
    }

    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return applyChatTemplate(messages, addGenerationPrompt, Map.of());
    }

    /** Renders the default chat template; {@code vars} adds template variables such as {@code tools}. */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> vars) {
        return applyChatTemplate("default", messages, addGenerationPrompt, vars);
    }

    public String applyChatTemplate(String templateName, List<ChatMessage> messages, boolean addGenerationPrompt,
                                    Map<String, Object> vars) {
        ChatTemplate t = templates.get(templateName);
        if (t == null) {
            throw new ZerorlException(templates.isEmpty()
                    ? "model " + name + " has no chat_template; use the r1 or plain prompt template"
                    : "model " + name + " has no chat template named '" + templateName + "'; it has " + templates.keySet());
        }
        Map<String, Object> ctx = new HashMap<>();
        specialStrings.forEach(ctx::put);
        ctx.putAll(vars);
        return t.render(messages, addGenerationPrompt, ctx);
    }

    @Override
    public void close() {
        hf.close();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + name + ", vocab " + vocabSize() + ", eos " + Arrays.toString(eosIds) + "]";
    }
}
