package io.zerorl.tokenizer;

import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatTemplateTest {
    private static final String QWEN_SYSTEM =
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n";

    static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/tokenizer/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String render(String template, List<ChatMessage> msgs, boolean gen, Map<String, Object> vars) {
        return new ChatTemplate(template, "test").render(msgs, gen, vars);
    }

    private static ChatTemplate qwen() throws IOException {
        return new ChatTemplate(resource("qwen25_chat_template.jinja"), "qwen25");
    }

    @Test
    void qwenDefaultSystemPromptWhenNoneGiven() throws IOException {
        assertThat(qwen().render(List.of(ChatMessage.user("What is 2+3?")), true, Map.of()))
                .isEqualTo(QWEN_SYSTEM + "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void qwenMultiTurnWithOwnSystemPrompt() throws IOException {
        List<ChatMessage> msgs = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello!"), ChatMessage.user("2+2?"));
        assertThat(qwen().render(msgs, false, Map.of())).isEqualTo(
                "<|im_start|>system\nBe brief.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\nHello!<|im_end|>\n"
                        + "<|im_start|>user\n2+2?<|im_end|>\n");
    }

    @Test
    void qwenToolsSectionToolCallsAndToolResponses() throws IOException {
        Map<String, Object> city = new LinkedHashMap<>();
        city.put("type", "string");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("type", "object");
        params.put("properties", Map.of("city", city));
        params.put("required", List.of("city"));
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("name", "get_weather");
        fn.put("description", "Weather in \"a\" city");
        fn.put("parameters", params);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", fn);
        Map<String, Object> call = Map.of("function", Map.of("name", "get_weather", "arguments", Map.of("city", "Zürich")));
        List<ChatMessage> msgs = List.of(ChatMessage.user("Weather?"),
                new ChatMessage("assistant", "", Map.of("tool_calls", List.of(call))),
                new ChatMessage("tool", "12C"), new ChatMessage("tool", "sunny"));
        String out = qwen().render(msgs, true, Map.of("tools", List.of(tool)));
        assertThat(out).isEqualTo("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                + "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
                + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in \\\"a\\\" city\", "
                + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}"
                + "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
                + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n"
                + "</tool_call><|im_end|>\n"
                + "<|im_start|>user\nWeather?<|im_end|>\n"
                + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\"}}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n12C\n</tool_response>\n<tool_response>\nsunny\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n");
    }

    @Test
    void trimAndLstripBlocksLikeHf() {
        String t = "{% for m in messages %}\n    {% if m.role == 'user' %}\n[{{ m.content }}]\n    {% endif %}\n{% endfor %}";
        assertThat(render(t, List.of(ChatMessage.user("a"), ChatMessage.system("s"), ChatMessage.user("b")), false, Map.of()))
                .isEqualTo("[a]\n[b]\n");
    }

    @Test
    void loopControlsKeepOutputBeforeBreakAndContinue() {
        List<ChatMessage> msgs = List.of(ChatMessage.system("s"), ChatMessage.user("u1"), ChatMessage.user("u2"));
        assertThat(render("{% for m in messages %}{% if m.role == 'system' %}S{% continue %}X{% endif %}"
                + "{{ m.content }}{% if loop.index == 2 %}!{% break %}{% endif %};{% endfor %}end", msgs, false, Map.of()))
                .isEqualTo("Su1!end");
    }

    @Test
    void pythonStringMethodsAndReverseSlice() {
        List<ChatMessage> msgs = List.of(ChatMessage.user("a"), ChatMessage.assistant("<think>x</think>\n\nAns. "));
        String t = "{% for m in messages[::-1] %}{{ m.role }},{% endfor %}"
                + "|{{ messages[-1].content.split('</think>')[-1].lstrip('\\n').rstrip() }}"
                + "|{{ messages[-1].content.startswith('<think>') }}|{{ 'a.b.c'.split('.', 1) }}|{{ ' x '.strip() }}";
        assertThat(render(t, msgs, false, Map.of())).isEqualTo("assistant,user,|Ans.|true|['a', 'b.c']|x");
    }

    @Test
    void tojsonMatchesPythonJsonDumps() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("a", 1);
        d.put("b", List.of(1.5, true, "é\n"));
        d.put("c", Map.of());
        assertThat(render("{{ d | tojson }}", List.of(), false, Map.of("d", d)))
                .isEqualTo("{\"a\": 1, \"b\": [1.5, true, \"é\\n\"], \"c\": {}}");
        assertThat(render("{{ d | tojson(indent=2) }}", List.of(), false, Map.of("d", Map.of("k", List.of(1)))))
                .isEqualTo("{\n  \"k\": [\n    1\n  ]\n}");
        assertThat(PyJson.pyFloat(1e-5)).isEqualTo("1e-05");
        assertThat(PyJson.pyFloat(2.0)).isEqualTo("2.0");
    }

    @Test
    void strftimeFollowsPythonDirectives() {
        ZonedDateTime t = ZonedDateTime.of(2024, 7, 3, 9, 5, 0, 0, ZoneOffset.UTC);
        assertThat(JinjaEnv.strftime(t, "%d %b %Y, %A %H:%M %%")).isEqualTo("03 Jul 2024, Wednesday 09:05 %");
        assertThat(render("{{ strftime_now('%Y') }}", List.of(), false, Map.of()))
                .isEqualTo(String.valueOf(ZonedDateTime.now().getYear()));
    }

    @Test
    void raiseExceptionBecomesClearError() {
        String t = "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}";
        assertThatThrownBy(() -> render(t, List.of(ChatMessage.assistant("x")), false, Map.of()))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("chat template of test failed")
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void syntaxErrorNamesTheTemplate() {
        assertThatThrownBy(() -> render("{% for m in messages %}", List.of(), false, Map.of()))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("chat template of test failed");
        assertThatThrownBy(() -> render("{% bogus %}", List.of(), false, Map.of()))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("bogus");
    }
}
