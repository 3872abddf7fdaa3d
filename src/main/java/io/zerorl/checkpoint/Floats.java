package io.zerorl.checkpoint;

/**
 * Bit-exact conversions between float32 and the narrow float formats of safetensors, in plain Java
 * (DJL's PyTorch JNI aborts on bfloat16, and {@code Float.floatToFloat16} needs Java 20).
 *
 * <p>Narrowing (float32 to F16/BF16) rounds to nearest, ties to even, like PyTorch's {@code .to()}:
 * overflow becomes infinity, F16 keeps subnormals, NaN stays NaN (quiet, sign kept). Widening is exact.
 * 16-bit values travel as {@code short} bit patterns, 8-bit ones as {@code byte}, sub-byte ones as the
 * low bits of an {@code int}.
 */
public final class Floats {
    private Floats() {}

    // ---- bfloat16: the top half of a float32 ----

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            // NaN: truncation could clear every payload bit left and turn it into infinity; set the quiet bit.
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding 0x7FFF plus the lowest kept bit rounds ties to even; a carry may run into the exponent,
        // which is exactly right (it also turns values above bf16's maximum into infinity).
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    // ---- IEEE binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits ----

    public static float f16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int man = h & 0x3FF;
        if (exp == 0) {
            // zero or subnormal: man * 2^-24, exact in float32
            float v = man * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (man << 13)); // Inf, or NaN with its payload
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (man << 13));
    }

    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {
            if (abs == 0x7F800000) {
                return (short) (sign | 0x7C00);
            }
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF)); // quiet NaN, top payload bits kept
        }
        if (abs >= 0x477FF000) {
            return (short) (sign | 0x7C00); // >= 65520, halfway above the maximum 65504: rounds to infinity
        }
        if (abs >= 0x38800000) {
            // normal in f16 (>= 2^-14): rebias the exponent, round the 13 dropped mantissa bits
            int h = ((abs >>> 23) - 127 + 15) << 10 | ((abs >>> 13) & 0x3FF);
            return (short) (sign | roundShift(h, abs & 0x1FFF, 13));
        }
        if (abs <= 0x33000000) {
            return (short) sign; // <= 2^-25, at most half the smallest subnormal: ties to even give zero
        }
        // subnormal in f16: value / 2^-24 = mantissa-with-implicit-bit * 2^(e+1), with e in [-25, -15]
        int mant = (abs & 0x7FFFFF) | 0x800000;
        int shift = -((abs >>> 23) - 127 + 1);
        return (short) (sign | roundShift(mant >>> shift, mant & ((1 << shift) - 1), shift));
    }

    /** Rounds {@code kept} up when the {@code shift} dropped bits {@code rest} exceed half, or tie on odd. */
    private static int roundShift(int kept, int rest, int shift) {
        int half = 1 << (shift - 1);
        return rest > half || (rest == half && (kept & 1) != 0) ? kept + 1 : kept;
    }

    // ---- 8-bit floats: every pattern decoded once into a table ----

    private static final float[] E4M3FN = new float[256];
    private static final float[] E5M2 = new float[256];
    private static final float[] E8M0 = new float[256];
    private static final float[] E4M3FNUZ = new float[256];
    private static final float[] E5M2FNUZ = new float[256];
    private static final float[] F4_E2M1 = new float[16];
    private static final float[] F6_E2M3 = new float[64];
    private static final float[] F6_E3M2 = new float[64];

    static {
        for (int b = 0; b < 256; b++) {
            E4M3FN[b] = (b & 0x7F) == 0x7F ? Float.NaN : minifloat(b, 4, 3, 7);
            E5M2[b] = f16ToFloat((short) (b << 8)); // E5M2 is the top byte of an IEEE binary16
            E8M0[b] = b == 0xFF ? Float.NaN : Math.scalb(1f, b - 127);
            E4M3FNUZ[b] = b == 0x80 ? Float.NaN : minifloat(b, 4, 3, 8);
            E5M2FNUZ[b] = b == 0x80 ? Float.NaN : minifloat(b, 5, 2, 16);
        }
        for (int b = 0; b < 16; b++) {
            F4_E2M1[b] = minifloat(b, 2, 1, 1);
        }
        for (int b = 0; b < 64; b++) {
            F6_E2M3[b] = minifloat(b, 2, 3, 1);
            F6_E3M2[b] = minifloat(b, 3, 2, 3);
        }
    }

    /** A finite value of a sign/exponent/mantissa format with subnormals and no reserved exponent. */
    private static float minifloat(int bits, int expBits, int manBits, int bias) {
        int man = bits & ((1 << manBits) - 1);
        int exp = (bits >>> manBits) & ((1 << expBits) - 1);
        boolean negative = ((bits >>> (manBits + expBits)) & 1) != 0;
        float v = exp == 0
                ? Math.scalb((float) man, 1 - bias - manBits)
                : Math.scalb((float) ((1 << manBits) | man), exp - bias - manBits);
        return negative ? -v : v;
    }

    public static float f8E4M3ToFloat(byte b) {
        return E4M3FN[b & 0xFF];
    }

    public static float f8E5M2ToFloat(byte b) {
        return E5M2[b & 0xFF];
    }

    public static float f8E8M0ToFloat(byte b) {
        return E8M0[b & 0xFF];
    }

    public static float f8E4M3FnuzToFloat(byte b) {
        return E4M3FNUZ[b & 0xFF];
    }

    public static float f8E5M2FnuzToFloat(byte b) {
        return E5M2FNUZ[b & 0xFF];
    }

    /** F4 (E2M1): the low 4 bits of {@code bits}. */
    public static float f4ToFloat(int bits) {
        return F4_E2M1[bits & 0xF];
    }

    /** F6_E2M3: the low 6 bits of {@code bits}. */
    public static float f6E2M3ToFloat(int bits) {
        return F6_E2M3[bits & 0x3F];
    }

    /** F6_E3M2: the low 6 bits of {@code bits}. */
    public static float f6E3M2ToFloat(int bits) {
        return F6_E3M2[bits & 0x3F];
    }

    /** The table for an 8-bit float dtype (shared, do not modify), or null for other dtypes. */
    static float[] table8(DType dtype) {
        return switch (dtype) {
            case F8_E4M3 -> E4M3FN;
            case F8_E5M2 -> E5M2;
            case F8_E8M0 -> E8M0;
            case F8_E4M3FNUZ -> E4M3FNUZ;
            case F8_E5M2FNUZ -> E5M2FNUZ;
            default -> null;
        };
    }

    /** The table for a sub-byte float dtype, or null. */
    static float[] tableSubByte(DType dtype) {
        return switch (dtype) {
            case F4 -> F4_E2M1;
            case F6_E2M3 -> F6_E2M3;
            case F6_E3M2 -> F6_E3M2;
            default -> null;
        };
    }
}
