package io.zerorl.reward.external;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.Score;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a reward program is sent and what counts as an answer, case by case. */
class ProtocolTest {
    @Test
    void aRequestIsOneLineWithTheRowFieldsThePromptTheCompletionAndTheFraming() throws Exception {
        RewardInput in = new RewardInput("Q?\n", "line 1\nline 2", Map.of("answer", "42", "nums", List.of(1, 2),
                "prompt", "def f(x):", "completion", "line 1\nline 2"), -1);
        String line = Protocol.requestLine(in, 3, 8);
        assertThat(line).doesNotContain("\n");
        JsonNode o = Json.MAPPER.readTree(line);
        assertThat(o.get("prompt").asText()).isEqualTo("Q?\n");
        assertThat(o.get("completion").asText()).isEqualTo("line 1\nline 2");
        assertThat(o.get("completion_tokens").isNull()).isTrue();
        assertThat(o.get("answer").asText()).isEqualTo("42");
        assertThat(o.get("nums").get(1).asInt()).isEqualTo(2);
        assertThat(o.get("row_prompt").asText()).isEqualTo("def f(x):"); // the row's own prompt is kept
        assertThat(o.has("row_completion")).isFalse(); // the same value is sent once
        assertThat(o.get("_batch").get("index").asInt()).isEqualTo(3);
        assertThat(o.get("_batch").get("size").asInt()).isEqualTo(8);
        assertThat(Protocol.request(new RewardInput("", "x", Map.of(), 7)).get("completion_tokens").asInt()).isEqualTo(7);
    }

    @Test
    void answersAreAScoreOrNullWithOptionalDetails() throws Exception {
        assertThat(Protocol.parseLine("{\"score\": 0.25, \"details\": {\"why\": \"x\"}}"))
                .isEqualTo(new Score(0.25, Map.of("why", "x")));
        assertThat(Protocol.parseLine("{\"score\": null}").applicable()).isFalse();
        assertThat(Protocol.parseLine("  {\"score\": 1, \"details\": null}\r").value()).isEqualTo(1.0);
    }

    @Test
    void everyOtherLineIsMalformedAndSaysWhy() {
        assertBad("", "is not a JSON object");
        assertBad("0.5", "is not a JSON object");
        assertBad("{\"value\": 1}", "has no \"score\"");
        assertBad("{\"score\": \"1\"}", "not a number or null");
        assertBad("{\"score\": NaN}", "is not JSON");
        assertBad("{\"score\": 1e999}", "not a number or null");
        assertBad("{\"score\": 1} {\"score\": 2}", "is not JSON");
        assertBad("{\"score\": 1, \"details\": [1]}", "\"details\" that are not a JSON object");
    }

    private static void assertBad(String line, String why) {
        assertThatThrownBy(() -> Protocol.parseLine(line)).as(line).isInstanceOf(Protocol.BadAnswer.class)
                .hasMessageContaining(why);
    }
}
