package io.zerorl.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Frequency schedules against the rules they come from (transformers modeling_rope_utils.py). */
class RotaryTest {
    static RopeConfig rope(String type, double factor, int orig) {
        return new RopeConfig(type, 500000, factor, 1, 4, orig, 32, 1, 1, 0, null, true, false);
    }

    @Test
    void defaultFrequencies() {
        float[] inv = new Rotary(RopeConfig.defaults(10000), 8).invFreq();
        assertThat(inv).containsExactly(new float[] {1f, 0.1f, 0.01f, 0.001f}, within(1e-9f));
    }

    @Test
    void llama3KeepsHighFrequenciesAndDividesLowOnes() {
        int dim = 128;
        float[] base = new Rotary(RopeConfig.defaults(500000), dim).invFreq();
        float[] l3 = new Rotary(rope("llama3", 8, 8192), dim).invFreq();
        double lowWave = 8192 / 1.0;
        double highWave = 8192 / 4.0;
        int smoothed = 0;
        for (int i = 0; i < base.length; i++) {
            double wave = 2 * Math.PI / base[i];
            if (wave < highWave) {
                assertThat(l3[i]).isEqualTo(base[i]);
            } else if (wave > lowWave) {
                assertThat((double) l3[i]).isCloseTo(base[i] / 8.0, within(1e-12));
            } else {
                assertThat(l3[i]).isBetween(base[i] / 8f, base[i]);
                smoothed++;
            }
        }
        assertThat(smoothed).isPositive();
    }

    @Test
    void yarnInterpolatesLowFrequenciesAndScalesAttention() {
        int dim = 64;
        float[] base = new Rotary(RopeConfig.defaults(10000), dim).invFreq();
        RopeConfig y = new RopeConfig("yarn", 10000, 4, 1, 4, 4096, 32, 1, 1, 0, null, true, false);
        Rotary r = new Rotary(y, dim);
        float[] inv = r.invFreq();
        assertThat(inv[0]).isEqualTo(base[0]); // fastest rotation: extrapolated (unchanged)
        assertThat((double) inv[inv.length - 1]).isCloseTo(base[base.length - 1] / 4.0, within(1e-12)); // slowest: interpolated
        assertThat(r.attentionFactor()).isCloseTo(0.1 * Math.log(4) + 1, within(1e-12));
        // DeepSeek: mscale == mscale_all_dim -> cos/sin factor 1, softmax scale gets mscale^2
        RopeConfig ds = new RopeConfig("yarn", 10000, 40, 1, 4, 4096, 32, 1, 1.0, 1.0, null, true, true);
        assertThat(new Rotary(ds, dim).attentionFactor()).isEqualTo(1.0);
        assertThat(RopeConfig.yarnMscale(40, 1.0)).isCloseTo(0.1 * Math.log(40) + 1, within(1e-12));
    }
}
