package io.zerorl.data;

import io.zerorl.util.Names;
import com.fasterxml.jackson.core.type.TypeReference;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What zerorl knows about one benchmark file, loaded from {@code datasets/<name>.yaml}. Keys (snake_case):
 * <pre>
 * name: gsm8k                         # required, [a-z0-9_]+
 * description: ...                    # required, one line
 * file: gsm8k/test.jsonl              # required, relative to the data dir; .jsonl or a .json array
 * url: https://...                    # required, canonical download (.gz is decompressed by fetch)
 * sha256: 3730d3...                   # optional, checked after download
 * question_field: question            # required unless the builder reads fixed fields
 * question_builder: field             # optional: field (default) | humaneval | mbpp | countdown
 * answer_field: answer                # required, the gold answer (or test) field
 * answer_kind: gsm8k                  # required: math | gsm8k | code_humaneval | code_mbpp | countdown
 * id_field: task_id                   # optional, else "name/row"
 * template: r1                        # optional default prompt template: r1 (default) | chat | plain
 * filter: {field: task_id, min: 11, max: 510}   # optional, inclusive integer range
 * rows: 500                           # optional, expected row count after the filter (detects truncated files)
 * </pre>
 */
public record DatasetDescriptor(String name, String description, String file, String url, String sha256,
                                String questionField, String questionBuilder, String answerField,
                                AnswerKind answerKind, String idField, String template, RangeFilter filter,
                                Integer rows) {

    /** Keeps rows whose integer {@code field} lies in [min, max]. */
    public record RangeFilter(String field, long min, long max) {
        public boolean test(DatasetRow row) {
            long v = row.getLong(field);
            return v >= min && v <= max;
        }
    }

    static final Set<String> KEYS = new LinkedHashSet<>(List.of("name", "description", "file", "url", "sha256",
            "question_field", "question_builder", "answer_field", "answer_kind", "id_field", "template", "filter", "rows"));
    private static final Set<String> FILTER_KEYS = Set.of("field", "min", "max");

    /** Parses and validates a descriptor; {@code where} names the YAML file in errors. */
    public static DatasetDescriptor parse(InputStream yaml, String where) {
        Map<String, Object> m;
        try {
            m = Json.YAML.readValue(yaml, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new ZerorlException("Malformed YAML in " + where + ": " + e.getMessage(), e);
        }
        if (m == null) {
            throw new ZerorlException(where + " is empty");
        }
        rejectUnknown(m.keySet(), KEYS, where);
        String name = required(m, "name", where);
        if (!name.matches("[a-z0-9_]+")) {
            throw new ZerorlException(where + ": name '" + name + "' must match [a-z0-9_]+");
        }
        String builder = optional(m, "question_builder", "field");
        QuestionBuilders.get(builder); // unknown builder fails here, at load
        String questionField = optional(m, "question_field", null);
        if (questionField == null && !builder.equals("countdown")) {
            throw new ZerorlException(where + ": question_field is required (the row field holding the question)");
        }
        String template = optional(m, "template", "r1");
        if (!PromptTemplates.names().contains(template)) {
            throw new ZerorlException(where + ": unknown template '" + template + "'; did you mean '"
                    + Names.nearest(template, PromptTemplates.names()) + "'? Known: " + PromptTemplates.names());
        }
        RangeFilter filter = null;
        if (m.get("filter") != null) {
            if (!(m.get("filter") instanceof Map<?, ?> f)) {
                throw new ZerorlException(where + ": filter must be a map {field, min, max}");
            }
            List<String> keys = new ArrayList<>();
            f.keySet().forEach(k -> keys.add(String.valueOf(k)));
            rejectUnknown(keys, FILTER_KEYS, where + " (filter)");
            filter = new RangeFilter(required(castMap(f), "field", where + " (filter)"),
                    integer(f.get("min"), "filter.min", where), integer(f.get("max"), "filter.max", where));
        }
        Integer rows = m.get("rows") == null ? null : (int) integer(m.get("rows"), "rows", where);
        return new DatasetDescriptor(name, required(m, "description", where), required(m, "file", where),
                required(m, "url", where), optional(m, "sha256", null), questionField, builder,
                required(m, "answer_field", where), AnswerKind.parse(required(m, "answer_kind", where), where),
                optional(m, "id_field", null), template, filter, rows);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static void rejectUnknown(Iterable<String> keys, Set<String> valid, String where) {
        for (String k : keys) {
            if (!valid.contains(k)) {
                throw new ZerorlException(where + ": unknown key '" + k + "'; did you mean '"
                        + Names.nearest(k, valid) + "'? Valid keys: " + valid);
            }
        }
    }

    private static String required(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null || v.toString().isBlank()) {
            throw new ZerorlException(where + ": missing required key '" + key + "'");
        }
        if (v instanceof Map || v instanceof List) {
            throw new ZerorlException(where + ": '" + key + "' must be a string");
        }
        return v.toString();
    }

    private static String optional(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        if (v instanceof Map || v instanceof List) {
            throw new ZerorlException("'" + key + "' must be a string");
        }
        return v == null ? dflt : v.toString();
    }

    private static long integer(Object v, String key, String where) {
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        throw new ZerorlException(where + ": '" + key + "' must be an integer, got " + v);
    }

    /** The question text of a row (before any prompt template). */
    public String question(DatasetRow row) {
        return QuestionBuilders.get(questionBuilder).apply(row, questionField);
    }

    /** The gold answer as text; for GSM8K the part after the last "#### " of the worked solution. */
    public String goldAnswer(DatasetRow row) {
        String a = row.getText(answerField);
        if (answerKind == AnswerKind.GSM8K) {
            int i = a.lastIndexOf("#### ");
            if (i < 0) {
                throw row.error("has no '#### ' final answer in field '" + answerField + "'");
            }
            return a.substring(i + 5).trim();
        }
        return a;
    }

    public String id(DatasetRow row) {
        return idField == null ? name + "/" + row.rowNumber() : row.getText(idField);
    }
}
