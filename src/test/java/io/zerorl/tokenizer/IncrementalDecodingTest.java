package io.zerorl.tokenizer;

import io.zerorl.TestPaths;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IncrementalDecodingTest {
    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        tok = Tokenizer.load(TestPaths.fixture("tokenizer"));
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void deltasConcatenateToTheFullDecodeAndNeverSplitACharacter() {
        for (String text : List.of("héllo wörld ∑ 🙂", "def add(a, b):\n    return a + b", "<think> 7 * 6 = 42 </think>")) {
            int[] ids = tok.encode(text);
            IncrementalDecoder dec = new IncrementalDecoder(tok, false);
            List<String> deltas = new ArrayList<>();
            for (int id : ids) {
                String d = dec.add(id);
                assertThat(d).doesNotContain("\uFFFD");
                deltas.add(d);
            }
            dec.flush();
            assertThat(String.join("", deltas)).isEqualTo(text);
            assertThat(dec.text()).isEqualTo(tok.decode(ids, false));
            assertThat(dec.ids()).containsExactly(ids);
        }
        // the emoji is four byte-level tokens: the first three yield nothing, the last the whole character
        int[] emoji = tok.encode("🙂");
        assertThat(emoji).hasSize(4);
        IncrementalDecoder dec = new IncrementalDecoder(tok, false);
        assertThat(List.of(dec.add(emoji[0]), dec.add(emoji[1]), dec.add(emoji[2]), dec.add(emoji[3])))
                .containsExactly("", "", "", "🙂");
    }

    @Test
    void flushEmitsAnUnfinishedCharacterAtTheEnd() {
        int[] emoji = tok.encode("a🙂");
        IncrementalDecoder dec = new IncrementalDecoder(tok, false);
        for (int i = 0; i < emoji.length - 1; i++) {
            dec.add(emoji[i]);
        }
        assertThat(dec.text()).isEqualTo("a");
        assertThat(dec.flush()).contains("\uFFFD");
    }

    @Test
    void stopStringSpanningTokenBoundariesIsFoundAsTokensArrive() {
        String completion = "<think> 7 * 6 = 42 </think> <answer> 42 </answer> trailing";
        int[] ids = tok.encode(completion);
        StopStringMatcher stops = new StopStringMatcher(List.of("</answer>", "\n\nUser:"));
        IncrementalDecoder dec = new IncrementalDecoder(tok, false);
        Optional<StopStringMatcher.Match> match = Optional.empty();
        int used = 0;
        while (match.isEmpty() && used < ids.length) {
            String delta = dec.add(ids[used++]);
            String text = dec.text();
            match = stops.find(text, text.length() - delta.length());
        }
        assertThat(match).isPresent();
        assertThat(match.get().stop()).isEqualTo("</answer>");
        assertThat(match.get().truncated()).isEqualTo("<think> 7 * 6 = 42 </think> <answer> 42 ");
        // "</answer>" is several tokens in this vocabulary, and the match fired on the token that completed it
        assertThat(tok.encode("</answer>").length).isGreaterThan(1);
        assertThat(dec.text()).endsWith("</answer>");
        assertThat(used).isLessThan(ids.length);
    }

    @Test
    void earliestMatchWinsAndIncrementalSearchLooksBackFarEnough() {
        StopStringMatcher m = new StopStringMatcher(List.of("</answer>", "User:", "Use"));
        assertThat(m.find("a User: b </answer>").map(StopStringMatcher.Match::start)).contains(2);
        assertThat(m.find("a User: b").map(StopStringMatcher.Match::stop)).contains("User:"); // tie: the longer one
        assertThat(m.find("nothing here")).isEmpty();
        String text = "x </ans" + "wer>";
        // new text starts in the middle of the stop string: still found
        assertThat(m.find(text, text.length() - 4).map(StopStringMatcher.Match::truncated)).contains("x ");
        assertThatThrownBy(() -> new StopStringMatcher(List.of(""))).isInstanceOf(ZerorlException.class);
    }
}
