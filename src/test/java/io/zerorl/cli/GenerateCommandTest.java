package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GenerateCommandTest {
    static final Path MODEL = TestPaths.fixture("qwen2-tiny");

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(Json.MAPPER.readTree(l));
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void promptWithSamplingWritesReproducibleJsonl(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("a/out.jsonl");
        String[] args = {"generate", "--model", MODEL.toString(), "--prompt", "The answer is", "--n", "3",
            "--temperature", "0.7", "--top-p", "0.95", "--max-new-tokens", "8", "--seed", "3", "--output", out.toString()};
        assertThat(Main.run(args)).isZero();
        List<JsonNode> got = lines(out);
        assertThat(got).hasSize(3);
        try (Tokenizer tok = Tokenizer.load(MODEL)) {
            for (int s = 0; s < 3; s++) {
                JsonNode l = got.get(s);
                assertThat(l.get("prompt_index").asInt()).isZero();
                assertThat(l.get("sample_index").asInt()).isEqualTo(s);
                int[] ids = ints(l.get("token_ids"));
                assertThat(ids.length).isBetween(1, 8);
                assertThat(l.get("logprobs").size()).isEqualTo(ids.length);
                assertThat(l.get("finish_reason").asText()).isIn("eos", "length");
                assertThat(l.get("text").asText()).isEqualTo(tok.decode(ids, true));
            }
        }
        String first = Files.readString(out);
        assertThat(Main.run(args)).isZero();
        assertThat(Files.readString(out)).isEqualTo(first); // same seed, same samples
        assertThat(Files.list(out.getParent())).hasSize(1); // no temp file left behind
    }

    @Test
    void batchModeReadsPromptsMessagesAndIdsAndIsIndependentOfChunking(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("prompts.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"What is 7 * 6?\"}]}",
                "{\"prompt\": \"The answer is\"}",
                "",
                "{\"prompt_ids\": [57, 314, 280, 341]}") + "\n");
        Path small = tmp.resolve("small.jsonl");
        Path big = tmp.resolve("big.jsonl");
        String[] common = {"generate", "--model", MODEL.toString(), "--input", in.toString(), "--n", "2",
            "--max-new-tokens", "6", "--seed", "11", "--temperature", "0.9"};
        assertThat(Main.run(concat(common, "--output", small.toString(), "--batch-size", "1"))).isZero();
        assertThat(Main.run(concat(common, "--output", big.toString(), "--batch-size", "8"))).isZero();
        List<JsonNode> a = lines(small);
        List<JsonNode> b = lines(big);
        assertThat(a).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(a.get(i).get("prompt_index").asInt()).isEqualTo(i / 2);
            assertThat(a.get(i).get("sample_index").asInt()).isEqualTo(i % 2);
            // rows are seeded by their global prompt index: the chunking changes nothing but padding
            assertThat(a.get(i).get("token_ids")).isEqualTo(b.get(i).get("token_ids"));
            for (int t = 0; t < a.get(i).get("logprobs").size(); t++) {
                assertThat(a.get(i).get("logprobs").get(t).asDouble()).isCloseTo(b.get(i).get("logprobs").get(t).asDouble(), within(1e-5));
            }
        }
        // the messages line is the chat-templated prompt: the same samples as --prompt ... --chat (prompt index 0)
        Path chat = tmp.resolve("chat.jsonl");
        assertThat(Main.run("generate", "--model", MODEL.toString(), "--prompt", "What is 7 * 6?", "--chat", "--n", "2",
                "--max-new-tokens", "6", "--seed", "11", "--temperature", "0.9", "--output", chat.toString())).isZero();
        List<JsonNode> c = lines(chat);
        assertThat(c.get(0).get("token_ids")).isEqualTo(a.get(0).get("token_ids"));
        assertThat(c.get(1).get("token_ids")).isEqualTo(a.get(1).get("token_ids"));
        try (Tokenizer tok = Tokenizer.load(MODEL)) {
            assertThat(tok.applyChatTemplate(List.of(ChatMessage.user("x")), true)).contains("<|im_start|>assistant");
        }
    }

    @Test
    void greedyPromptPrintsTheCompletion() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("generate", "--model", MODEL.toString(), "--prompt", "2 + 2 =", "--greedy", "--max-new-tokens", "5",
                    "--stop", "zzz-never");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).isNotBlank();
    }

    @Test
    void builtinModelTakesTokenIdsAndExplainsWhatItCannotDo(@TempDir Path tmp) throws Exception {
        String err = CliModelCommandsTest.runErr("generate", "--model", "builtin:tiny-moe", "--prompt", "hi");
        assertThat(err).contains("no tokenizer yet").contains("prompt_ids");
        Path in = tmp.resolve("ids.jsonl");
        Files.writeString(in, "{\"prompt_ids\": [5, 6, 7]}\n{\"prompt\": \"text\"}\n");
        err = CliModelCommandsTest.runErr("generate", "--model", "builtin:tiny-moe", "--input", in.toString());
        assertThat(err).contains("line 2").contains("no tokenizer yet");

        Files.writeString(in, "{\"prompt_ids\": [5, 6, 7]}\n");
        Path out = tmp.resolve("out.jsonl");
        assertThat(Main.run("generate", "--model", "builtin:tiny-moe", "--input", in.toString(), "--greedy",
                "--max-new-tokens", "4", "--output", out.toString())).isZero();
        List<JsonNode> got = lines(out);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).get("text").asText()).isEmpty();
        assertThat(got.get(0).get("token_ids").size()).isBetween(1, 4);
    }

    @Test
    void badUsageIsExitCode2WithAClearMessage(@TempDir Path tmp) throws Exception {
        assertThat(CliModelCommandsTest.runErr("generate", "--model", MODEL.toString()))
                .contains("exactly one of --prompt TEXT or --input FILE.jsonl");
        assertThat(CliModelCommandsTest.runErr("generate", "--model", MODEL.toString(), "--prompt", "x", "--temperature", "0"))
                .contains("temperature must be > 0");
        Path in = tmp.resolve("bad.jsonl");
        Files.writeString(in, "{\"text\": \"no prompt field\"}\n");
        assertThat(CliModelCommandsTest.runErr("generate", "--model", MODEL.toString(), "--input", in.toString()))
                .contains("line 1: expected a \"prompt\", \"messages\" or \"prompt_ids\" field");
        Files.writeString(in, "{\"prompt_ids\": [1, 99999]}\n");
        assertThat(CliModelCommandsTest.runErr("generate", "--model", MODEL.toString(), "--input", in.toString()))
                .contains("outside the vocabulary");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
