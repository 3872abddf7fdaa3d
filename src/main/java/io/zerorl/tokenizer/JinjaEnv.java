package io.zerorl.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.ElseIfTag;
import com.hubspot.jinjava.lib.tag.ElseTag;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.lib.tag.IfTag;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;

import java.beans.FeatureDescriptor;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * A Jinjava set up to render Hugging Face chat templates the way transformers' jinja2 environment does
 * ({@code transformers/utils/chat_template_utils.py: _compile_jinja_template}): trim_blocks and
 * lstrip_blocks, the loopcontrols extension ({@code break}/{@code continue}), {@code raise_exception},
 * {@code strftime_now}, a {@code tojson} that matches Python's {@code json.dumps(ensure_ascii=False)},
 * and the Python string methods templates call ({@code startswith}, {@code strip}, {@code split}, ...).
 */
final class JinjaEnv {
    private JinjaEnv() {}

    /** jinja2 list reversal by slicing; Jinjava's EL cannot parse an empty slice start/stop with a step. */
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*::\\s*-1\\s*]");

    static final Jinjava JINJAVA = create();

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUsePyishObjectMapper(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withUseTrimmingForNotesAndExpressions(true) // {{- x -}} trims like jinja2
                        .build())
                .build();
        Jinjava j = new Jinjava(config);
        var ctx = j.getGlobalContext();
        ctx.registerTag(new LoopForTag());
        ctx.registerTag(new LoopAwareIfTag());
        ctx.registerTag(new LoopControlTag("break"));
        ctx.registerTag(new LoopControlTag("continue"));
        ctx.registerFilter(new PyToJsonFilter());
        ctx.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaEnv.class, "raiseException", String.class));
        ctx.registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaEnv.class, "strftimeNow", String.class));
        return j;
    }

    static String preprocess(String template) {
        return REVERSE_SLICE.matcher(template).replaceAll("|reverse");
    }

    /** Thrown by {@code raise_exception(msg)}; its message is the template author's. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    static Object raiseException(String message) {
        throw new TemplateRaised(message);
    }

    /** Python strftime on the local clock (Llama 3 templates print today's date). */
    static String strftimeNow(String format) {
        return strftime(ZonedDateTime.now(), format);
    }

    static String strftime(ZonedDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> out.append(t.getYear());
                case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case 'S' -> out.append(String.format("%02d", t.getSecond()));
                case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'I' -> out.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'F' -> out.append(t.format(DateTimeFormatter.ISO_LOCAL_DATE));
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }

    // ---- loop controls: break/continue unwind to the enclosing for, carrying the output rendered so far

    static final class LoopControl extends InterpretException {
        final boolean isBreak;
        final StringBuilder partial = new StringBuilder();

        LoopControl(boolean isBreak, int line) {
            super((isBreak ? "break" : "continue") + " outside a for loop", line);
            this.isBreak = isBreak;
        }
    }

    static final class LoopControlTag implements Tag {
        private final String name;

        LoopControlTag(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getEndTagName() {
            return null;
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            throw new LoopControl(name.equals("break"), tagNode.getLineNumber());
        }
    }

    /** {@code if} that keeps the output of its block rendered before a break/continue inside it. */
    static final class LoopAwareIfTag extends IfTag {
        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder sb = new StringBuilder();
            boolean execute = isPositiveIfElseNode(tagNode, interpreter);
            boolean done = false;
            for (Node node : tagNode.getChildren()) {
                if (node instanceof TagNode tag && (tag.getName().equals(ElseIfTag.TAG_NAME)
                        || tag.getName().equals(ElseTag.TAG_NAME))) {
                    done |= execute;
                    execute = !done && (tag.getName().equals(ElseTag.TAG_NAME) || isPositiveIfElseNode(tag, interpreter));
                    continue;
                }
                if (execute) {
                    try {
                        sb.append(node.render(interpreter));
                    } catch (LoopControl lc) {
                        lc.partial.insert(0, sb);
                        throw lc;
                    }
                }
            }
            return sb.toString();
        }
    }

    /** {@code for} with loopcontrols; binds one variable, or unpacks pairs/lists into several. */
    static final class LoopForTag extends ForTag {
        @Override
        public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars,
                                          Object collection) {
            ForLoop loop = ObjectIterator.getLoop(collection);
            StringBuilder out = new StringBuilder();
            try (var scope = interpreter.enterScope()) {
                interpreter.getContext().put(LOOP, loop);
                items:
                while (loop.hasNext()) {
                    bind(interpreter, loopVars, interpreter.wrap(loop.next()));
                    for (Node node : tagNode.getChildren()) {
                        try {
                            out.append(node.render(interpreter));
                        } catch (LoopControl lc) {
                            out.append(lc.partial);
                            if (lc.isBreak) {
                                break items;
                            }
                            continue items;
                        }
                    }
                }
            }
            return out.toString();
        }

        private static void bind(JinjavaInterpreter interpreter, List<String> vars, Object val) {
            if (vars.size() == 1) {
                interpreter.getContext().put(vars.get(0), val);
                return;
            }
            List<Object> parts = new ArrayList<>();
            if (val instanceof Map.Entry<?, ?> e) {
                parts.add(e.getKey());
                parts.add(e.getValue());
            } else if (val instanceof Collection<?> c) {
                parts.addAll(c);
            } else {
                throw new InterpretException("cannot unpack " + val + " into " + vars);
            }
            for (int i = 0; i < vars.size(); i++) {
                interpreter.getContext().put(vars.get(i), i < parts.size() ? parts.get(i) : null);
            }
        }
    }

    // ---- tojson as HF defines it: json.dumps(x, ensure_ascii=False, indent=indent, sort_keys=False)

    static final class PyToJsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, (Object[]) args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            StringBuilder sb = new StringBuilder();
            PyJson.write(sb, var, indent == null ? -1 : Integer.parseInt(indent.toString()), 0);
            return sb.toString();
        }
    }

    // ---- Python str methods, looked up before Java's (String.split is a regex, strip takes no chars...)

    static final class PyStringResolver extends ELResolver {
        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
            if (!(base instanceof String s) || method == null) {
                return null;
            }
            Object[] p = params == null ? new Object[0] : params;
            Object result = PyStrings.call(s, method.toString(), p);
            if (result == PyStrings.UNHANDLED) {
                return null;
            }
            context.setPropertyResolved(true);
            return result;
        }

        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public Class<?> getType(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public void setValue(ELContext context, Object base, Object property, Object value) {}

        @Override
        public boolean isReadOnly(ELContext context, Object base, Object property) {
            return true;
        }

        @Override
        public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
            return null;
        }

        @Override
        public Class<?> getCommonPropertyType(ELContext context, Object base) {
            return null;
        }
    }
}
