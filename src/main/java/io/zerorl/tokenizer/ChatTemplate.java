package io.zerorl.tokenizer;

import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A Hugging Face chat template (Jinja source) rendered through {@link JinjaEnv}. */
public final class ChatTemplate {
    private final String source;
    private final String origin;

    /** @param origin names where the template came from, for error messages (model folder, file). */
    public ChatTemplate(String source, String origin) {
        this.source = JinjaEnv.preprocess(source);
        this.origin = origin;
    }

    /**
     * Renders {@code messages} with the variables transformers passes to {@code apply_chat_template}:
     * {@code messages}, {@code add_generation_prompt}, the special-token strings, plus {@code vars}
     * (e.g. {@code tools}, {@code enable_thinking}).
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> vars) {
        Map<String, Object> ctx = new HashMap<>(vars);
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            msgs.add(m.toTemplateMap());
        }
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result;
        try {
            result = JinjaEnv.JINJAVA.renderForResult(source, ctx);
        } catch (RuntimeException e) {
            throw new ZerorlException("chat template of " + origin + " failed: " + rootMessage(e), e);
        }
        for (TemplateError err : result.getErrors()) {
            if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ZerorlException("chat template of " + origin + " failed at line " + err.getLineno()
                        + ": " + describe(err));
            }
        }
        return result.getOutput();
    }

    private static String describe(TemplateError err) {
        for (Throwable t = err.getException(); t != null; t = t.getCause()) {
            if (t instanceof JinjaEnv.TemplateRaised) {
                return "raise_exception(\"" + t.getMessage() + "\")";
            }
        }
        return err.getMessage();
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    public String source() {
        return source;
    }
}
