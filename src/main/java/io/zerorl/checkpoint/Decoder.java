package io.zerorl.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Converts a run of stored elements to float32 or long. Bulk copies go through small heap scratch
 * arrays (a few tens of KiB) so the loops stay simple and JIT-friendly while the tensor itself never
 * lands on the heap. Sub-byte types are read as a little-endian bit stream: element i occupies bits
 * [i*b, (i+1)*b) counting from the least significant bit of byte 0, so F4 keeps element 0 in the low
 * nibble (PyTorch float4_e2m1fn_x2). The spec does not fix F6 packing; this is the same convention.
 */
final class Decoder {
    private static final int SCRATCH = 8192;

    private Decoder() {}

    /**
     * Decodes {@code n} elements from {@code src} (positioned at the byte holding the first element, whose
     * bits start {@code bitOffset} bits in) as little-endian float32 into {@code out}, advancing its position
     * by {@code 4 * n}.
     */
    static void toFloat(DType dtype, ByteBuffer src, int bitOffset, int n, ByteBuffer outBytes) {
        src = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer view = outBytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = view.asFloatBuffer();
        decode(dtype, src, bitOffset, n, out, view);
        outBytes.position(outBytes.position() + 4 * n);
    }

    private static void decode(DType dtype, ByteBuffer src, int bitOffset, int n, FloatBuffer out, ByteBuffer view) {
        switch (dtype) {
            case F32 -> out.put(src.asFloatBuffer().limit(n));
            case BF16 -> {
                ShortBuffer s = src.asShortBuffer();
                IntBuffer o = view.asIntBuffer(); // raw bits, so NaN payloads survive untouched
                short[] in = new short[Math.min(n, SCRATCH)];
                int[] bits = new int[in.length];
                for (int done = 0; done < n; ) {
                    int k = Math.min(in.length, n - done);
                    s.get(in, 0, k);
                    for (int i = 0; i < k; i++) {
                        bits[i] = in[i] << 16; // bf16 is the high half of a float32
                    }
                    o.put(bits, 0, k);
                    done += k;
                }
            }
            case F16, I16, U16 -> {
                ShortBuffer s = src.asShortBuffer();
                short[] in = new short[Math.min(n, SCRATCH)];
                float[] f = new float[in.length];
                for (int done = 0; done < n; ) {
                    int k = Math.min(in.length, n - done);
                    s.get(in, 0, k);
                    for (int i = 0; i < k; i++) {
                        f[i] = dtype == DType.F16 ? Floats.f16ToFloat(in[i])
                                : dtype == DType.I16 ? in[i] : (in[i] & 0xFFFF);
                    }
                    out.put(f, 0, k);
                    done += k;
                }
            }
            case I32, U32 -> {
                IntBuffer s = src.asIntBuffer();
                int[] in = new int[Math.min(n, SCRATCH)];
                float[] f = new float[in.length];
                for (int done = 0; done < n; ) {
                    int k = Math.min(in.length, n - done);
                    s.get(in, 0, k);
                    for (int i = 0; i < k; i++) {
                        f[i] = dtype == DType.I32 ? in[i] : (float) Integer.toUnsignedLong(in[i]);
                    }
                    out.put(f, 0, k);
                    done += k;
                }
            }
            case F64 -> {
                DoubleBuffer s = src.asDoubleBuffer();
                double[] in = new double[Math.min(n, SCRATCH)];
                float[] f = new float[in.length];
                for (int done = 0; done < n; ) {
                    int k = Math.min(in.length, n - done);
                    s.get(in, 0, k);
                    for (int i = 0; i < k; i++) {
                        f[i] = (float) in[i]; // Java's narrowing is round-to-nearest-even
                    }
                    out.put(f, 0, k);
                    done += k;
                }
            }
            case I64, U64 -> {
                LongBuffer s = src.asLongBuffer();
                long[] in = new long[Math.min(n, SCRATCH)];
                float[] f = new float[in.length];
                for (int done = 0; done < n; ) {
                    int k = Math.min(in.length, n - done);
                    s.get(in, 0, k);
                    for (int i = 0; i < k; i++) {
                        f[i] = dtype == DType.I64 ? in[i] : unsignedToFloat(in[i]);
                    }
                    out.put(f, 0, k);
                    done += k;
                }
            }
            case BOOL, U8, I8, F8_E4M3, F8_E5M2, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ -> {
                float[] table = Floats.table8(dtype);
                byte[] in = new byte[Math.min(n, SCRATCH)];
                float[] f = new float[in.length];
                for (int done = 0; done < n; ) {
                    int k = Math.min(in.length, n - done);
                    src.get(in, 0, k);
                    for (int i = 0; i < k; i++) {
                        int b = in[i];
                        f[i] = table != null ? table[b & 0xFF]
                                : dtype == DType.I8 ? b : dtype == DType.BOOL ? (b != 0 ? 1f : 0f) : (b & 0xFF);
                    }
                    out.put(f, 0, k);
                    done += k;
                }
            }
            case F4, F6_E2M3, F6_E3M2 -> {
                float[] table = Floats.tableSubByte(dtype);
                int bits = dtype.bitsPerElement();
                int mask = (1 << bits) - 1;
                float[] f = new float[Math.min(n, SCRATCH)];
                long bit = bitOffset;
                int limit = src.limit();
                for (int done = 0; done < n; ) {
                    int k = Math.min(f.length, n - done);
                    for (int i = 0; i < k; i++, bit += bits) {
                        int at = (int) (bit >>> 3);
                        int word = src.get(at) & 0xFF;
                        if (at + 1 < limit) {
                            word |= (src.get(at + 1) & 0xFF) << 8; // an element may straddle two bytes
                        }
                        f[i] = table[(word >>> (bit & 7)) & mask];
                    }
                    out.put(f, 0, k);
                    done += k;
                }
            }
            case C64 -> throw new IllegalStateException("complex64 has no float32 value"); // checked by callers
        }
    }

    /** Integral dtypes (and BOOL as 0/1) into longs; U64 keeps its bits (values of 2^63 or more read negative). */
    static void toLong(DType dtype, ByteBuffer src, int n, long[] out, int outOffset) {
        src = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = switch (dtype) {
                case BOOL -> src.get(i) != 0 ? 1 : 0;
                case U8 -> src.get(i) & 0xFF;
                case I8 -> src.get(i);
                case I16 -> src.getShort(2 * i);
                case U16 -> src.getShort(2 * i) & 0xFFFF;
                case I32 -> src.getInt(4 * i);
                case U32 -> Integer.toUnsignedLong(src.getInt(4 * i));
                case I64, U64 -> src.getLong(8 * i);
                default -> throw new IllegalStateException(dtype + " is not integral"); // checked by callers
            };
        }
    }

    static float unsignedToFloat(long x) {
        if (x >= 0) {
            return x;
        }
        // halve (keeping the lowest bit sticky so rounding is still correct), convert, double
        return ((x >>> 1) | (x & 1)) * 2f;
    }
}
