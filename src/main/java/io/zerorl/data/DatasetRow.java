package io.zerorl.data;

import io.zerorl.util.ZerorlException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of a dataset file: an immutable map of JSON values (String, Long/Double, Boolean, List, Map, null)
 * that knows where it came from, so every accessor's error names the row and file.
 */
public final class DatasetRow {
    private final String source;
    private final int rowNumber;
    private final Map<String, Object> fields;

    /** @param source a short label such as {@code gsm8k/test.jsonl}; @param rowNumber 1-based (JSONL: the line) */
    public DatasetRow(String source, int rowNumber, Map<String, Object> fields) {
        this.source = source;
        this.rowNumber = rowNumber;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public String source() {
        return source;
    }

    public int rowNumber() {
        return rowNumber;
    }

    public Map<String, Object> fields() {
        return fields;
    }

    public boolean has(String field) {
        return fields.containsKey(field) && fields.get(field) != null;
    }

    public Object get(String field) {
        if (!fields.containsKey(field)) {
            throw error("has no field '" + field + "' (fields: " + String.join(", ", fields.keySet()) + ")");
        }
        return fields.get(field);
    }

    /** A JSON string field. */
    public String getString(String field) {
        Object v = get(field);
        if (!(v instanceof String s)) {
            throw error("field '" + field + "' is " + describe(v) + ", not a string");
        }
        return s;
    }

    /**
     * Any scalar as text: strings as they are, integral numbers without a fraction (AMC23 stores answers as
     * {@code 27.0}, meaning 27), other numbers and booleans as Java prints them.
     */
    public String getText(String field) {
        Object v = get(field);
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw error("field '" + field + "' is " + describe(v) + ", not a string or number");
    }

    public long getLong(String field) {
        Object v = get(field);
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw error("field '" + field + "' is " + describe(v) + ", not an integer");
    }

    public double getDouble(String field) {
        Object v = get(field);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw error("field '" + field + "' is " + describe(v) + ", not a number");
    }

    /** A JSON array of strings. */
    public List<String> getStringList(String field) {
        Object v = get(field);
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
            return l.stream().map(String.class::cast).toList();
        }
        throw error("field '" + field + "' is " + describe(v) + ", not a list of strings");
    }

    /** An error about this row: "row 17 of gsm8k/test.jsonl " + what. */
    public ZerorlException error(String what) {
        return new ZerorlException("row " + rowNumber + " of " + source + " " + what);
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v.toString();
        String kind = v instanceof List ? "a list" : v instanceof Map ? "an object" : v instanceof String ? "a string"
                : v instanceof Boolean ? "a boolean" : "a number";
        return kind + " (" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + ")";
    }

    @Override
    public String toString() {
        return source + "#" + rowNumber + fields.keySet();
    }
}
