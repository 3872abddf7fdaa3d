package io.zerorl.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WarmUpTest {
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void stopsWhenTwoRunsAgreeAndNotBeforeThree() {
        long[] plan = {400, 250, 150, 150, 150, 150};
        int[] i = {0};
        int runs = WarmUp.untilStable(() -> sleep(plan[Math.min(i[0]++, plan.length - 1)]), 20, 30);
        assertThat(runs).isEqualTo(4);
        int[] j = {0};
        assertThat(WarmUp.untilStable(() -> sleep(100 + 0 * j[0]++), 20, 30)).isEqualTo(3);
    }

    @Test
    void aRunThatNeverSettlesStopsAtTheCap() {
        int[] i = {0};
        assertThat(WarmUp.untilStable(() -> sleep(i[0]++ % 2 == 0 ? 10 : 60), 5, 30)).isEqualTo(5);
        assertThat(WarmUp.untilStable(() -> sleep(i[0]++ % 2 == 0 ? 10 : 60), 100, 0.2)).isLessThan(100);
    }

    @Test
    void aMinimumKeepsShortRunsGoingUntilItHasPassed() {
        int[] i = {0};
        long t0 = System.nanoTime();
        int runs = WarmUp.untilStable(() -> sleep(10 + 0 * i[0]++), 0.3, 1000, 30);
        assertThat((System.nanoTime() - t0) / 1e9).isGreaterThanOrEqualTo(0.3);
        assertThat(runs).isGreaterThan(10);
    }
}
