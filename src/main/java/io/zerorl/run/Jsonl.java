package io.zerorl.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/** JSON Lines files of a run: one record per line, appended as a run goes, cut back when a run resumes. */
public final class Jsonl {
    private Jsonl() {}

    /** One record as a line (no trailing newline). */
    public static String line(Object record) {
        try {
            return Json.MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a record as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Appends one record. */
    public static void append(Path file, Map<String, ?> record) {
        appendLines(file, List.of(record));
    }

    /** Appends records, one line each, in one write (nothing is written for none). */
    public static void appendLines(Path file, List<? extends Map<String, ?>> records) {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Map<String, ?> r : records) {
            sb.append(line(r)).append('\n');
        }
        try {
            Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ZerorlException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the records whose {@code step} is at most {@code step} (a resumed run rewrites the later ones); the file
     * is replaced atomically. No file: nothing to do.
     */
    public static void truncateAfterStep(Path file, int step) {
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank() && Json.MAPPER.readTree(line).path("step").asInt() <= step) {
                    sb.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new ZerorlException("cannot read " + file + " to resume the run at step " + step + ": "
                    + e.getMessage() + " (fix or delete the file)", e);
        }
        Files2.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
