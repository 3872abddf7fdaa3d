package io.zerorl.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalDecoderPendingTest {
    /** Byte-level tokens: 0 = "x" + the first byte of "€", 1 = its last two bytes, 2 = "y". */
    static final byte[][] TOKENS = {{'x', (byte) 0xE2}, {(byte) 0x82, (byte) 0xAC}, {'y'}};

    static String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(TOKENS[id]);
        }
        return out.toString(StandardCharsets.UTF_8); // malformed input becomes U+FFFD, as in HF decoders
    }

    @Test
    void pendingIsTheKnownTextOfAHeldBackToken() {
        IncrementalDecoder dec = new IncrementalDecoder(IncrementalDecoderPendingTest::decode);
        assertThat(dec.add(0)).isEmpty(); // "x\uFFFD" is held back
        assertThat(dec.text()).isEmpty();
        assertThat(dec.pending()).isEqualTo("x"); // but "x" is certain
        assertThat(dec.add(1)).isEqualTo("x€");
        assertThat(dec.pending()).isEmpty();
        assertThat(dec.add(2)).isEqualTo("y");
        assertThat(dec.text()).isEqualTo("x€y");
    }
}
