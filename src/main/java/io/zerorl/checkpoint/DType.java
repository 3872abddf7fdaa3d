package io.zerorl.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of the safetensors format, in the order of the reference implementation's {@code Dtype}
 * enum (huggingface/safetensors {@code safetensors/src/tensor.rs}), which is increasing alignment: the
 * writer sorts tensors by descending ordinal, then by name, exactly as the reference serializer does.
 *
 * <p>Float semantics (as PyTorch names them): {@code F8_E4M3} = float8_e4m3fn (no infinity, NaN only at
 * S.1111.111), {@code F8_E5M2} = float8_e5m2 (IEEE-like), {@code F8_E8M0} = float8_e8m0fnu (unsigned
 * power of two, 0xFF = NaN), the FNUZ variants have a single NaN at 0x80 and no negative zero,
 * {@code F4} = float4_e2m1fn (two per byte), {@code F6_*} = MX FP6. {@code C64} is complex64 (two F32).
 */
public enum DType {
    BOOL(8, Kind.BOOL),
    F4(4, Kind.FLOAT),
    F6_E2M3(6, Kind.FLOAT),
    F6_E3M2(6, Kind.FLOAT),
    U8(8, Kind.UNSIGNED),
    I8(8, Kind.SIGNED),
    F8_E5M2(8, Kind.FLOAT),
    F8_E4M3(8, Kind.FLOAT),
    F8_E8M0(8, Kind.FLOAT),
    F8_E4M3FNUZ(8, Kind.FLOAT),
    F8_E5M2FNUZ(8, Kind.FLOAT),
    I16(16, Kind.SIGNED),
    U16(16, Kind.UNSIGNED),
    F16(16, Kind.FLOAT),
    BF16(16, Kind.FLOAT),
    I32(32, Kind.SIGNED),
    U32(32, Kind.UNSIGNED),
    F32(32, Kind.FLOAT),
    C64(64, Kind.COMPLEX),
    F64(64, Kind.FLOAT),
    I64(64, Kind.SIGNED),
    U64(64, Kind.UNSIGNED);

    private enum Kind { BOOL, FLOAT, SIGNED, UNSIGNED, COMPLEX }

    private final int bits;
    private final Kind kind;

    DType(int bits, Kind kind) {
        this.bits = bits;
        this.kind = kind;
    }

    /** The name used in safetensors headers (identical to the constant's name). */
    public String safetensorsName() {
        return name();
    }

    public int bitsPerElement() {
        return bits;
    }

    public boolean isFloatingPoint() {
        return kind == Kind.FLOAT;
    }

    /** Integer or boolean: readable as {@code long} values. */
    public boolean isIntegral() {
        return kind == Kind.SIGNED || kind == Kind.UNSIGNED || kind == Kind.BOOL;
    }

    public boolean isUnsigned() {
        return kind == Kind.UNSIGNED || kind == Kind.BOOL;
    }

    /** Real-valued, so convertible to float32 ({@code C64} is the only type that is not). */
    public boolean isReal() {
        return kind != Kind.COMPLEX;
    }

    /**
     * Bytes taken by {@code numel} elements. Throws when the element count overflows or, for the sub-byte
     * types, does not fill whole bytes (the reference implementation rejects those too: MisalignedSlice).
     */
    public long byteLength(long numel) {
        if (numel < 0) {
            throw new CheckpointException("negative element count " + numel + " for dtype " + this);
        }
        long totalBits;
        try {
            totalBits = Math.multiplyExact(numel, (long) bits);
        } catch (ArithmeticException e) {
            throw new CheckpointException(numel + " elements of " + this + " overflow a 64-bit byte count");
        }
        if (totalBits % 8 != 0) {
            throw new CheckpointException(numel + " elements of " + this + " (" + bits
                    + " bits each) do not fill whole bytes");
        }
        return totalBits / 8;
    }

    /** Parses a safetensors dtype name; an unknown one throws and lists the valid names. */
    public static DType parse(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CheckpointException("unknown dtype '" + name + "'; safetensors defines "
                    + Arrays.stream(values()).map(DType::name).collect(Collectors.joining(", ")));
        }
    }
}
