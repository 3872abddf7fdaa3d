package io.zerorl.data;

import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A JSONL file of training prompts: rows that each hold the prompt field. Read once to check a recipe (before any
 * model is loaded) and again to build the training prompts, so both see the same rows and the same errors.
 */
public final class PromptFile {
    private PromptFile() {}

    /**
     * The first {@code maxRows} rows of {@code file} (0 = all), each checked to hold {@code promptField}.
     *
     * @throws ZerorlException when the file is missing or empty, or a row lacks the field (naming the row and its fields)
     */
    public static List<DatasetRow> read(Path file, String promptField, int maxRows) {
        if (!Files.isRegularFile(file)) {
            throw new ZerorlException("prompt file " + file.toAbsolutePath() + " does not exist");
        }
        List<DatasetRow> rows = first(JsonlReader.read(file), maxRows);
        if (rows.isEmpty()) {
            throw new ZerorlException("prompt file " + file + " has no rows");
        }
        for (DatasetRow r : rows) {
            if (!r.has(promptField)) {
                throw new ZerorlException("row " + r.rowNumber() + " of " + file + " lacks the prompt field '"
                        + promptField + "'; its fields: " + String.join(", ", r.fields().keySet()));
            }
        }
        return rows;
    }

    /** The first {@code max} rows ({@code max} &lt;= 0: all). */
    public static <T> List<T> first(List<T> rows, int max) {
        return max > 0 && rows.size() > max ? rows.subList(0, max) : rows;
    }
}
