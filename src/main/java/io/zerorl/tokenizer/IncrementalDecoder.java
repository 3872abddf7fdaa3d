package io.zerorl.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing list of generated token ids into text, one token at a time, without re-decoding the whole
 * sequence and without emitting half a character. Follows text-generation-inference's {@code decode_token}
 * ({@code server/text_generation_server/models/model.py}): decode a small window before and after the new
 * token and emit the difference, holding it back while it ends in U+FFFD (a UTF-8 sequence split across
 * byte-level tokens). Decoding a window rather than one token keeps the spacing that SentencePiece-style
 * decoders strip at the start of a decode. Not thread-safe: one per sequence.
 */
public final class IncrementalDecoder {
    /** What the decoder needs from a tokenizer; {@link Tokenizer} supplies it. */
    @FunctionalInterface
    public interface Decode {
        String decode(int[] ids);
    }

    private final Decode decode;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder text = new StringBuilder();

    public IncrementalDecoder(Decode decode) {
        this.decode = decode;
    }

    public IncrementalDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this(ids -> tokenizer.decode(ids, skipSpecialTokens));
    }

    /** Appends one token and returns the text it completes (possibly empty while a character is split). */
    public String add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = decode.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = decode.decode(Arrays.copyOfRange(ids, prefixOffset, size));
        if (full.length() > prefix.length() && !full.endsWith("\uFFFD")) {
            String delta = full.substring(prefix.length());
            prefixOffset = readOffset;
            readOffset = size;
            text.append(delta);
            return delta;
        }
        return "";
    }

    /** Emits whatever is held back (at the end of generation), replacement characters included. */
    public String flush() {
        if (readOffset == size) {
            return "";
        }
        String prefix = decode.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = decode.decode(Arrays.copyOfRange(ids, prefixOffset, size));
        String delta = full.length() > prefix.length() ? full.substring(prefix.length()) : "";
        prefixOffset = readOffset;
        readOffset = size;
        text.append(delta);
        return delta;
    }

    /**
     * Text decoded after {@link #text()} but held back because it ends inside a character, without its
     * trailing replacement characters: what the emitted text is known to continue with. Stop-string checks
     * look at {@code text() + pending()} so a match is not found one token late.
     */
    public String pending() {
        if (readOffset == size) {
            return "";
        }
        String prefix = decode.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = decode.decode(Arrays.copyOfRange(ids, prefixOffset, size));
        int end = full.length();
        while (end > prefix.length() && full.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return end > prefix.length() ? full.substring(prefix.length(), end) : "";
    }

    /** All text emitted so far. */
    public String text() {
        return text.toString();
    }

    public int tokenCount() {
        return size;
    }

    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }
}
