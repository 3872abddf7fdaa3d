package io.zerorl.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Shared Jackson mappers and file helpers that turn IO/parse failures into messages naming the file. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    public static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Json() {}

    /** Reads a JSON file as a tree; a missing or malformed file becomes a {@link ZerorlException} naming it. */
    public static JsonNode readTree(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ZerorlException("File not found: " + file);
        } catch (JsonProcessingException e) {
            throw new ZerorlException("Malformed JSON in " + file + ": " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new ZerorlException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes JSON atomically: to a temporary file beside the target, then a rename. */
    public static void write(Path file, Object value, boolean pretty) {
        try {
            byte[] bytes = (pretty ? PRETTY : MAPPER).writeValueAsBytes(value);
            Files2.writeAtomically(file, bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
