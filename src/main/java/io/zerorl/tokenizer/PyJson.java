package io.zerorl.tokenizer;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=...)} output format, which HF's {@code tojson}
 * produces: {@code ", "} and {@code ": "} separators without indent, {@code ","} plus newlines with it.
 */
final class PyJson {
    private PyJson() {}

    static void write(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte || v instanceof java.math.BigInteger) {
            sb.append(v);
        } else if (v instanceof Number n) {
            sb.append(pyFloat(n.doubleValue()));
        } else if (v instanceof Map<?, ?> m) {
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            container(sb, '{', '}', m.isEmpty(), indent, level, it, (e, lvl) -> {
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent, lvl);
            });
        } else if (v instanceof Collection<?> c) {
            container(sb, '[', ']', c.isEmpty(), indent, level, c.iterator(), (x, lvl) -> write(sb, x, indent, lvl));
        } else if (v instanceof Object[] a) {
            write(sb, Arrays.asList(a), indent, level);
        } else {
            string(sb, v.toString());
        }
    }

    private interface Item<T> {
        void write(T item, int level);
    }

    private static <T> void container(StringBuilder sb, char open, char close, boolean empty, int indent, int level,
                                      Iterator<? extends T> it, Item<T> item) {
        sb.append(open);
        if (empty) {
            sb.append(close);
            return;
        }
        boolean first = true;
        while (it.hasNext()) {
            if (!first) {
                sb.append(indent < 0 ? ", " : ",");
            }
            first = false;
            newline(sb, indent, level + 1);
            item.write(it.next(), level + 1);
        }
        newline(sb, indent, level);
        sb.append(close);
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Python float repr: "1.0", "0.25", "1e-05", "1e+16" (shortest round-trip digits, like Java). */
    static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        double a = Math.abs(d);
        if (a == 0 || (a >= 1e-4 && a < 1e16)) {
            String s = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        String[] parts = Double.toString(d).split("E"); // Java switches to E-notation below 1e-3, so a < 1e-4 has it
        parts[0] = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
        int exp = Integer.parseInt(parts[1]);
        return parts[0] + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }
}
