package io.zerorl.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BuiltinTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsTaskTextOneTokenPerCharacterAndTagsAsSingleTokens() {
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertThat(tok.vocabSize()).isEqualTo(BuiltinTokenizer.vocabSize()).isLessThanOrEqualTo(128);
            assertThat(tok.eosTokenIds()).containsExactly(BuiltinTokenizer.EOS_ID);
            assertThat(tok.padTokenId()).hasValue(BuiltinTokenizer.EOS_ID);
            String text = "Question: what is 4+17+9?\n<think>4+17+9 = 21+9 = 30</think><answer>30</answer>";
            int[] ids = tok.encode(text);
            assertThat(tok.decode(ids, false)).isEqualTo(text);
            String plain = "Is 'abc' reversed \"cba\"? {x} [y] (z) ~!@#$%^&*_-=|\\;:,./`";
            assertThat(tok.decode(tok.encode(plain), false)).isEqualTo(plain);
            assertThat(tok.encode(plain)).hasSize(plain.length());
            for (String tag : BuiltinTokenizer.TAGS) {
                assertThat(tok.encode(tag)).containsExactly(BuiltinTokenizer.vocab().get(tag));
            }
            int[] withEos = tok.encode("12" + BuiltinTokenizer.EOS);
            assertThat(withEos).endsWith(BuiltinTokenizer.EOS_ID).hasSize(3);
            assertThat(tok.decode(withEos, true)).isEqualTo("12");
            // the tags are not special: text decoded for rewards keeps them
            assertThat(tok.decode(tok.encode("<answer>7</answer>"), true)).isEqualTo("<answer>7</answer>");
        }
    }

    @Test
    void chatTemplateRendersTheInstructionThenQuestionLines() {
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            String prompt = tok.applyChatTemplate(List.of(new ChatMessage("user", "what is 2+3?")), true);
            assertThat(prompt).isEqualTo("Use <think> and <answer>.\nQuestion: what is 2+3?\n");
            String full = tok.applyChatTemplate(List.of(new ChatMessage("user", "q"), new ChatMessage("assistant", "a")), false);
            assertThat(full).isEqualTo(BuiltinTokenizer.DEFAULT_INSTRUCTION + "\nQuestion: q\na" + BuiltinTokenizer.EOS);
            // a system message replaces the default instruction
            String own = tok.applyChatTemplate(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "q")), true);
            assertThat(own).isEqualTo("Be brief.\nQuestion: q\n");
        }
    }
}
