package io.zerorl.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON Lines (one object per line; blank lines skipped; row number = line number) and, for files
 * whose first non-blank character is {@code [}, a single JSON array of objects (MBPP's sanitized-mbpp.json;
 * row number = position, 1-based).
 */
public final class JsonlReader {
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
    private static final TypeReference<List<Object>> ARRAY = new TypeReference<>() {};

    private JsonlReader() {}

    public static List<DatasetRow> read(Path file) {
        return read(file, file.getFileName().toString());
    }

    /** @param label how errors name the file, e.g. {@code gsm8k/test.jsonl} */
    public static List<DatasetRow> read(Path file, String label) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            in.mark(1 << 16);
            int c;
            do {
                c = in.read();
            } while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\uFEFF');
            in.reset();
            return c == '[' ? readArray(in, label) : readLines(in, label);
        } catch (NoSuchFileException e) {
            throw new ZerorlException("Dataset file not found: " + file);
        } catch (IOException e) {
            throw new ZerorlException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<DatasetRow> readLines(BufferedReader in, String label) throws IOException {
        List<DatasetRow> rows = new ArrayList<>();
        int lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (!line.stripLeading().startsWith("{")) {
                throw new ZerorlException(label + " line " + lineNo + ": expected a JSON object, got: " + cut(line));
            }
            try {
                rows.add(new DatasetRow(label, lineNo, Json.MAPPER.readValue(line, OBJECT)));
            } catch (JsonProcessingException e) {
                throw new ZerorlException(label + " line " + lineNo + ": malformed JSON: " + e.getOriginalMessage());
            }
        }
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static List<DatasetRow> readArray(BufferedReader in, String label) throws IOException {
        List<Object> items;
        try {
            items = Json.MAPPER.readValue(in, ARRAY);
        } catch (JsonProcessingException e) {
            throw new ZerorlException(label + ": malformed JSON array at line " + e.getLocation().getLineNr()
                    + ": " + e.getOriginalMessage());
        }
        List<DatasetRow> rows = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Map)) {
                throw new ZerorlException(label + " element " + (i + 1) + " is not a JSON object");
            }
            rows.add(new DatasetRow(label, i + 1, (Map<String, Object>) items.get(i)));
        }
        return rows;
    }

    private static String cut(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
