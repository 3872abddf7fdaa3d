package io.zerorl.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizerTest {
    private static final Path FIXTURE = TestPaths.fixture("tokenizer");

    /** Every reference encoding: HF encode (no special tokens) and decode must agree exactly. */
    @ParameterizedTest
    @ValueSource(strings = {"tokenizer", "qwen2-tiny", "qwen3-tiny", "qwen3moe-tiny", "mixtral-tiny", "deepseekv3-tiny"})
    void matchesReferenceEncodings(String folder) {
        JsonNode refs = Json.readTree(FIXTURE.resolve("encodings.json"));
        assertThat(refs.size()).isGreaterThan(5);
        try (Tokenizer tok = Tokenizer.load(TestPaths.fixture(folder))) {
            for (JsonNode r : refs) {
                int[] expected = new int[r.get("ids").size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = r.get("ids").get(i).asInt();
                }
                assertThat(tok.encode(r.get("text").asText())).as(r.get("text").asText()).containsExactly(expected);
                assertThat(tok.decode(expected, false)).isEqualTo(r.get("decoded").asText());
            }
            assertThat(tok.eosTokenIds()).containsExactly(0);
            assertThat(tok.padTokenId()).isEqualTo(OptionalInt.of(0));
            assertThat(tok.hasChatTemplate()).isTrue();
        }
    }

    @Test
    void vocabularyAndSpecialTokens() {
        try (Tokenizer tok = Tokenizer.load(FIXTURE)) {
            assertThat(tok.vocabSize()).isEqualTo(509);
            assertThat(tok.tokenId("<|im_start|>")).isEqualTo(OptionalInt.of(1));
            assertThat(tok.tokenId("<|im_end|>")).isEqualTo(OptionalInt.of(2));
            assertThat(tok.tokenId("no-such-token")).isEmpty();
            assertThat(tok.tokenText(2)).isEqualTo("<|im_end|>");
            assertThat(tok.tokenText(223)).isEqualTo("Ġ"); // byte-level BPE shows a space as Ġ
            assertThat(tok.isSpecial(1)).isTrue();
            assertThat(tok.isSpecial(57)).isFalse();
            assertThat(tok.bosTokenId()).isEmpty();
            assertThat(tok.decode(new int[] {1, 87, 85, 262, 201, 42, 75, 2}, true)).isEqualTo("user\nHi");
            assertThat(tok.encodeWithBos("Hi")).containsExactly(tok.encode("Hi")); // no add_bos_token
            assertThatThrownBy(() -> tok.tokenText(509)).isInstanceOf(ZerorlException.class).hasMessageContaining("509");
            assertThatThrownBy(() -> tok.decode(new int[] {5, -1}, false)).isInstanceOf(ZerorlException.class);
        }
    }

    @Test
    void fixtureChatTemplateRendersTheExpectedString() {
        try (Tokenizer tok = Tokenizer.load(FIXTURE)) {
            List<ChatMessage> msgs = List.of(ChatMessage.system("Solve it."), ChatMessage.user("What is 12 + 30?"));
            String expected = "<|im_start|>system\nSolve it.<|im_end|>\n<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n";
            assertThat(tok.applyChatTemplate(msgs, false)).isEqualTo(expected);
            assertThat(tok.applyChatTemplate(msgs, true)).isEqualTo(expected + "<|im_start|>assistant\n");
            // the rendered special tokens encode to their single ids
            int[] ids = tok.encode(tok.applyChatTemplate(List.of(ChatMessage.user("Hi")), true));
            assertThat(ids).startsWith(1, 87, 85, 262, 201, 42, 75, 2);
            assertThat(ids[ids.length - 1]).isEqualTo(201); // ends with "assistant\n"
        }
    }

    /** A model folder made of the fixture tokenizer.json plus the given config files. */
    private static Path folder(Path tmp, String tokenizerConfig, String generationConfig, String config) throws IOException {
        Files.copy(FIXTURE.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        if (tokenizerConfig != null) {
            Files.writeString(tmp.resolve("tokenizer_config.json"), tokenizerConfig);
        }
        if (generationConfig != null) {
            Files.writeString(tmp.resolve("generation_config.json"), generationConfig);
        }
        if (config != null) {
            Files.writeString(tmp.resolve("config.json"), config);
        }
        return tmp;
    }

    @Test
    void eosFromGenerationConfigListPlusAddedTokenObject(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, """
                {"eos_token": {"content": "<|im_end|>", "special": true}, "pad_token": {"content": "<|endoftext|>"},
                 "bos_token": null, "added_tokens_decoder": {"1": {"content": "<|im_start|>", "special": true}}}""",
                "{\"eos_token_id\": [2, 0], \"pad_token_id\": 1}", "{\"eos_token_id\": 1}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertThat(tok.eosTokenIds()).containsExactly(2, 0);
            assertThat(tok.isEos(0)).isTrue();
            assertThat(tok.padTokenId()).isEqualTo(OptionalInt.of(0)); // tokenizer_config wins over generation_config
            assertThat(tok.hasChatTemplate()).isFalse();
            assertThatThrownBy(() -> tok.applyChatTemplate(List.of(ChatMessage.user("x")), true))
                    .isInstanceOf(ZerorlException.class)
                    .hasMessage("model " + dir.getFileName() + " has no chat_template; use the r1 or plain prompt template");
        }
    }

    @Test
    void eosFallsBackToConfigJsonAndPadToGenerationConfig(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, "{}", "{\"pad_token_id\": 2, \"bos_token_id\": 1}", "{\"eos_token_id\": 0}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertThat(tok.eosTokenIds()).containsExactly(0);
            assertThat(tok.padTokenId()).isEqualTo(OptionalInt.of(2));
            assertThat(tok.bosTokenId()).isEqualTo(OptionalInt.of(1));
        }
    }

    @Test
    void addBosTokenAndNamedTemplates(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, """
                {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "add_bos_token": true,
                 "chat_template": [{"name": "default", "template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}"},
                                   {"name": "tool_use", "template": "T{{ tools | length }}"}]}""", null, null);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertThat(tok.encodeWithBos("Hi")).containsExactly(1, 42, 75);
            assertThat(tok.encodeWithBos("<|im_start|>Hi")).containsExactly(1, 42, 75); // not doubled
            assertThat(tok.encode("Hi")).containsExactly(42, 75);
            assertThat(tok.chatTemplateNames()).containsExactly("default", "tool_use");
            assertThat(tok.applyChatTemplate(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false))
                    .isEqualTo("<|im_start|>a<|im_end|>b<|im_end|>");
            assertThat(tok.applyChatTemplate("tool_use", List.of(), false, java.util.Map.of("tools", List.of(1, 2))))
                    .isEqualTo("T2");
        }
    }

    @Test
    void chatTemplateJinjaFileIsUsedWhenConfigHasNone(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, "{\"eos_token\": \"<|endoftext|>\"}", null, null);
        Files.writeString(dir.resolve("chat_template.jinja"), "{% for m in messages %}<{{ m.role }}>{% endfor %}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertThat(tok.applyChatTemplate(List.of(ChatMessage.user("x")), true)).isEqualTo("<user>");
        }
    }

    @Test
    void badInputsGiveErrorsNamingTheFile(@TempDir Path tmp) throws IOException {
        assertThatThrownBy(() -> Tokenizer.load(tmp.resolve("nope")))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> Tokenizer.load(tmp))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("No tokenizer.json in " + tmp);

        Path malformed = Files.createDirectory(tmp.resolve("malformed"));
        folder(malformed, "{\"eos_token\": ", null, null);
        assertThatThrownBy(() -> Tokenizer.load(malformed))
                .isInstanceOf(ZerorlException.class).hasMessageContaining(malformed.resolve("tokenizer_config.json").toString());

        Path noEos = Files.createDirectory(tmp.resolve("noeos"));
        folder(noEos, "{}", null, "{}");
        assertThatThrownBy(() -> Tokenizer.load(noEos))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("No EOS token");

        Path badTok = Files.createDirectory(tmp.resolve("badtok"));
        Files.writeString(badTok.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}}}");
        Files.writeString(badTok.resolve("tokenizer_config.json"), "{\"eos_token\": \"a\"}");
        assertThatThrownBy(() -> Tokenizer.load(badTok))
                .isInstanceOf(ZerorlException.class).hasMessageContaining(badTok.resolve("tokenizer.json").toString());

        Path brokenTemplate = Files.createDirectory(tmp.resolve("broken"));
        folder(brokenTemplate, "{\"eos_token\": \"<|im_end|>\", \"chat_template\": \"{% if %}\"}", null, null);
        try (Tokenizer tok = Tokenizer.load(brokenTemplate)) {
            assertThatThrownBy(() -> tok.applyChatTemplate(List.of(ChatMessage.user("x")), true))
                    .isInstanceOf(ZerorlException.class).hasMessageContaining("broken/tokenizer_config.json");
        }
    }
}
