package io.zerorl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.util.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: safetensors files built and parsed by hand, independently of the code under test. */
final class StFiles {
    private StFiles() {}

    /** Writes {@code u64 len | header | data} with the header as given (no padding, no validation). */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    static long headerLength(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static String headerText(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int n = (int) headerLength(file);
        return new String(all, 8, n, StandardCharsets.UTF_8);
    }

    static JsonNode header(Path file) throws IOException {
        return Json.MAPPER.readTree(headerText(file));
    }

    /** The stored bytes of one tensor, located through the header parsed here. */
    static byte[] tensorBytes(Path file, String name) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int n = (int) headerLength(file);
        JsonNode off = header(file).get(name).get("data_offsets");
        int from = 8 + n + off.get(0).asInt();
        int to = 8 + n + off.get(1).asInt();
        byte[] out = new byte[to - from];
        System.arraycopy(all, from, out, 0, out.length);
        return out;
    }

    static float[] littleEndianFloats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    static byte[] remaining(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
