package io.zerorl.algo;

import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdvantagesTest {
    static final float[] REWARDS = {1, 0, 0.5f, 0, 1, 1, 1, 1}; // grpo_reference.json

    @Test
    void grpoGroupScaledMatchesReferenceFixture() {
        float[] a = Advantages.get("grpo").compute(REWARDS, 4, ScaleRewards.GROUP);
        double[] expected = GrpoReferenceTest.vector("advantages_scaled");
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void grpoUnscaledIsDrGrpoCentredReward() {
        float[] a = Advantages.grpo(REWARDS, 4, ScaleRewards.NONE);
        double[] expected = GrpoReferenceTest.vector("advantages_unscaled");
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).isCloseTo(expected[i], within(1e-7));
        }
    }

    /** rewards, group size, scale, expected advantages (hand-computed). */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        // group of 2: mean 0.5, unbiased std sqrt(0.5) = 0.70711
        "1 0;        2; group; 0.70701 -0.70701",
        "1 0;        2; none;  0.5 -0.5",
        // batch std of {1,0,1,1} = 0.5: centred by group mean, divided by batch std + 1e-4
        "1 0 1 1;    2; batch; 0.99980 -0.99980 0 0",
        "3 3 3 3;    4; group; 0 0 0 0",
        "2 2 5 5;    2; group; 0 0 0 0",
        "2 2 5 5;    2; batch; 0 0 0 0",
    })
    void grpoTable(String rewards, int g, String scale, String expected) {
        float[] a = Advantages.grpo(floats(rewards), g, ScaleRewards.parse(scale));
        float[] e = floats(expected);
        for (int i = 0; i < e.length; i++) {
            assertThat(a[i]).isCloseTo(e[i], within(1e-5f));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "1 0 0 0;  4; 1 -0.333333 -0.333333 -0.333333",
        "1 2 3;    3; -1.5 0 1.5",
        "4 4 0 1;  2; 0 0 -1 1",
    })
    void rlooLeaveOneOut(String rewards, int g, String expected) {
        float[] a = Advantages.get("rloo").compute(floats(rewards), g, ScaleRewards.GROUP);
        float[] e = floats(expected);
        for (int i = 0; i < e.length; i++) {
            assertThat(a[i]).isCloseTo(e[i], within(1e-5f));
        }
    }

    @Test
    void zeroStdFractionAndErrors() {
        assertThat(Advantages.zeroStdFraction(REWARDS, 4)).isEqualTo(0.5);
        assertThatThrownBy(() -> Advantages.grpo(REWARDS, 3, ScaleRewards.GROUP)).hasMessageContaining("groups of size 3");
        assertThatThrownBy(() -> Advantages.get("ppo")).isInstanceOf(ZerorlException.class).hasMessageContaining("grpo, rloo");
        assertThatThrownBy(() -> Advantages.register("grpo", Advantages::rloo)).hasMessageContaining("already registered");
        assertThatThrownBy(() -> ScaleRewards.parse("sometimes")).hasMessageContaining("[group, batch, none]");
    }

    static float[] floats(String s) {
        String[] p = s.trim().split("\\s+");
        float[] f = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            f[i] = Float.parseFloat(p[i]);
        }
        return f;
    }
}
