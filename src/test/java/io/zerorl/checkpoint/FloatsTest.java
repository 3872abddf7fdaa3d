package io.zerorl.checkpoint;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FloatsTest {

    @Test
    void bf16KnownPatterns() {
        assertThat(bf16(1f)).isEqualTo(0x3F80);
        assertThat(bf16(-2f)).isEqualTo(0xC000);
        assertThat(bf16(0f)).isEqualTo(0x0000);
        assertThat(bf16(-0f)).isEqualTo(0x8000);
        assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo(0x7F80);
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFF80);
        assertThat(bf16(Float.MAX_VALUE)).isEqualTo(0x7F80); // rounds past bf16's max: overflow to infinity
        // ties: 1 + 2^-8 sits halfway between 1 (even) and 1 + 2^-7 (odd): to even = 1
        assertThat(bf16(Float.intBitsToFloat(0x3F808000))).isEqualTo(0x3F80);
        // 1 + 3*2^-8 sits halfway between 0x3F81 (odd) and 0x3F82 (even): to even = 0x3F82
        assertThat(bf16(Float.intBitsToFloat(0x3F818000))).isEqualTo(0x3F82);
        assertThat(bf16(Float.intBitsToFloat(0x3F808001))).isEqualTo(0x3F81); // just above the tie
        assertThat(bf16(Float.intBitsToFloat(0x00000001))).isEqualTo(0x0000); // tiniest float32 subnormal
        // NaN whose payload lies only in the dropped bits must stay NaN, not become infinity
        float nanLow = Float.intBitsToFloat(0x7F800001);
        assertThat(Float.isNaN(Floats.bf16ToFloat(Floats.floatToBf16(nanLow)))).isTrue();
        assertThat(Floats.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
    }

    @Test
    void f16KnownPatterns() {
        assertThat(f16(1f)).isEqualTo(0x3C00);
        assertThat(f16(-2f)).isEqualTo(0xC000);
        assertThat(f16(65504f)).isEqualTo(0x7BFF); // largest finite
        assertThat(f16(65519f)).isEqualTo(0x7BFF); // below the halfway point
        assertThat(f16(65520f)).isEqualTo(0x7C00); // halfway to 2^16, max is odd: ties to even = infinity
        assertThat(f16(1e10f)).isEqualTo(0x7C00);
        assertThat(f16(-1e10f)).isEqualTo(0xFC00);
        assertThat(f16(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(f16(-0f)).isEqualTo(0x8000);
        assertThat(f16(0x1p-14f)).isEqualTo(0x0400); // smallest normal
        assertThat(f16(0x1p-24f)).isEqualTo(0x0001); // smallest subnormal
        assertThat(f16(1023 * 0x1p-24f)).isEqualTo(0x03FF); // largest subnormal
        assertThat(f16(0x1p-25f)).isEqualTo(0x0000); // tie between 0 and 2^-24: to even = 0
        assertThat(f16(Math.nextUp(0x1p-25f))).isEqualTo(0x0001);
        assertThat(f16(3 * 0x1p-25f)).isEqualTo(0x0002); // tie between 1 and 2 (units of 2^-24): to 2
        assertThat(f16(5 * 0x1p-25f)).isEqualTo(0x0002); // tie between 2 and 3: to 2
        assertThat(f16(1 + 0x1p-11f)).isEqualTo(0x3C00); // tie: to even
        assertThat(f16(1 + 3 * 0x1p-11f)).isEqualTo(0x3C02); // tie: to even
        assertThat(f16(2047 * 0x1p-25f)).isEqualTo(0x0400); // rounds up from subnormal into the smallest normal
        assertThat(Float.isNaN(Floats.f16ToFloat(Floats.floatToF16(Float.NaN)))).isTrue();
        assertThat(Float.isNaN(Floats.f16ToFloat(Floats.floatToF16(Float.intBitsToFloat(0x7F800001))))).isTrue();
        assertThat(Floats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Floats.f16ToFloat((short) 0x8001)).isEqualTo(-0x1p-24f);
        assertThat(Floats.f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Floats.f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float.isNaN(Floats.f16ToFloat((short) 0x7C01))).isTrue();
        assertThat(Floats.f16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    }

    @Test
    void f16WideningIsExactAndNarrowingInvertsIt() {
        for (int h = 0; h < 65536; h++) {
            float f = Floats.f16ToFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Floats.f16ToFloat(Floats.floatToF16(f))).isNaN();
            } else {
                assertThat(Floats.floatToF16(f) & 0xFFFF).as("0x%04x", h).isEqualTo(h);
                assertThat(RneReference.f16(f)).isEqualTo(h);
            }
        }
        for (int b = 0; b < 65536; b++) {
            float f = Floats.bf16ToFloat((short) b);
            if (!Float.isNaN(f)) {
                assertThat(Floats.floatToBf16(f) & 0xFFFF).isEqualTo(b);
            }
        }
    }

    @Test
    void narrowingMatchesAnIndependentNearestEvenSearch() {
        Random rnd = new Random(7);
        List<Float> samples = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            samples.add(Float.intBitsToFloat(rnd.nextInt())); // every exponent, including NaN
            samples.add((float) rnd.nextGaussian() * (1 << rnd.nextInt(20)) * 0x1p-10f); // around f16's range
        }
        for (float x : samples) {
            if (Float.isNaN(x)) {
                assertThat(Floats.f16ToFloat(Floats.floatToF16(x))).isNaN();
                assertThat(Floats.bf16ToFloat(Floats.floatToBf16(x))).isNaN();
                continue;
            }
            assertThat(f16(x)).as("f16 of %s", x).isEqualTo(RneReference.f16(x));
            assertThat(bf16(x)).as("bf16 of %s", x).isEqualTo(RneReference.bf16(x));
        }
    }

    @Test
    void eightBitAndSubByteFloats() {
        assertThat(Floats.f8E4M3ToFloat((byte) 0x38)).isEqualTo(1f);
        assertThat(Floats.f8E4M3ToFloat((byte) 0x7E)).isEqualTo(448f);
        assertThat(Floats.f8E4M3ToFloat((byte) 0xFE)).isEqualTo(-448f);
        assertThat(Floats.f8E4M3ToFloat((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(Floats.f8E4M3ToFloat((byte) 0x7F)).isNaN();
        assertThat(Floats.f8E4M3ToFloat((byte) 0x78)).isEqualTo(256f); // no infinity in e4m3fn
        assertThat(Floats.f8E5M2ToFloat((byte) 0x3C)).isEqualTo(1f);
        assertThat(Floats.f8E5M2ToFloat((byte) 0x7B)).isEqualTo(57344f);
        assertThat(Floats.f8E5M2ToFloat((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Floats.f8E5M2ToFloat((byte) 0x7D)).isNaN();
        assertThat(Floats.f8E5M2ToFloat((byte) 0x01)).isEqualTo(0x1p-16f);
        assertThat(Floats.f8E8M0ToFloat((byte) 0x7F)).isEqualTo(1f);
        assertThat(Floats.f8E8M0ToFloat((byte) 0x80)).isEqualTo(2f);
        assertThat(Floats.f8E8M0ToFloat((byte) 0x00)).isEqualTo(0x1p-127f);
        assertThat(Floats.f8E8M0ToFloat((byte) 0xFF)).isNaN();
        assertThat(Floats.f8E4M3FnuzToFloat((byte) 0x40)).isEqualTo(1f);
        assertThat(Floats.f8E4M3FnuzToFloat((byte) 0x7F)).isEqualTo(240f);
        assertThat(Floats.f8E4M3FnuzToFloat((byte) 0x80)).isNaN();
        assertThat(Floats.f8E5M2FnuzToFloat((byte) 0x40)).isEqualTo(1f);
        assertThat(Floats.f8E5M2FnuzToFloat((byte) 0x7F)).isEqualTo(57344f);
        assertThat(Floats.f8E5M2FnuzToFloat((byte) 0x80)).isNaN();
        float[] f4 = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
        for (int i = 0; i < 8; i++) {
            assertThat(Floats.f4ToFloat(i)).isEqualTo(f4[i]);
            assertThat(Floats.f4ToFloat(i | 8)).isEqualTo(-f4[i]);
        }
        assertThat(Floats.f6E2M3ToFloat(0x1F)).isEqualTo(7.5f);
        assertThat(Floats.f6E2M3ToFloat(0x01)).isEqualTo(0.125f);
        assertThat(Floats.f6E2M3ToFloat(0x08)).isEqualTo(1f);
        assertThat(Floats.f6E3M2ToFloat(0x1F)).isEqualTo(28f);
        assertThat(Floats.f6E3M2ToFloat(0x01)).isEqualTo(0.0625f);
        assertThat(Floats.f6E3M2ToFloat(0x0C)).isEqualTo(1f);
        assertThat(Floats.f6E3M2ToFloat(0x2C)).isEqualTo(-1f);
    }

    private static int f16(float f) {
        return Floats.floatToF16(f) & 0xFFFF;
    }

    private static int bf16(float f) {
        return Floats.floatToBf16(f) & 0xFFFF;
    }

    /**
     * Round-to-nearest-even by search over the target format's values, in exact decimal arithmetic:
     * independent of the bit tricks in {@link Floats}. Inputs are not NaN.
     */
    static final class RneReference {
        static int f16(float x) {
            return nearest(x, 0x7BFF, 65536.0, 0x7C00, true);
        }

        static int bf16(float x) {
            return nearest(x, 0x7F7F, 0x1p128, 0x7F80, false);
        }

        /** maxBits: largest finite pattern; overflowAt: the next power of two (the value beyond max). */
        private static int nearest(float x, int maxBits, double overflowAt, int infBits, boolean half) {
            int sign = Float.floatToRawIntBits(x) < 0 ? 0x8000 : 0;
            if (Float.isInfinite(x)) {
                return sign | infBits;
            }
            BigDecimal a = new BigDecimal(Math.abs((double) x));
            int lo = 0;
            int hi = maxBits; // positive patterns are ordered like their values: binary search the floor
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (value(mid, half).compareTo(a) <= 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            BigDecimal below = value(lo, half);
            BigDecimal above = lo == maxBits ? new BigDecimal(overflowAt) : value(lo + 1, half);
            int aboveBits = lo == maxBits ? infBits : lo + 1;
            int c = a.subtract(below).compareTo(above.subtract(a));
            int bits = c < 0 ? lo : c > 0 ? aboveBits : ((lo & 1) == 0 ? lo : aboveBits);
            return sign | bits;
        }

        private static BigDecimal value(int bits, boolean half) {
            return new BigDecimal((double) (half ? Floats.f16ToFloat((short) bits) : Floats.bf16ToFloat((short) bits)));
        }
    }
}
