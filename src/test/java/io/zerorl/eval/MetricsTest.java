package io.zerorl.eval;

import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void passAtKHandComputed() {
        // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10
        assertThat(Metrics.passAtK(5, 2, 2)).isCloseTo(0.7, within(EPS));
        // n=10, c=3, k=1: c/n
        assertThat(Metrics.passAtK(10, 3, 1)).isCloseTo(0.3, within(EPS));
        // n=4, c=1, k=3: 1 - C(3,3)/C(4,3) = 1 - 1/4
        assertThat(Metrics.passAtK(4, 1, 3)).isCloseTo(0.75, within(EPS));
        // n = k: 1 if any sample is correct, else 0
        assertThat(Metrics.passAtK(4, 1, 4)).isEqualTo(1.0);
        assertThat(Metrics.passAtK(4, 0, 4)).isEqualTo(0.0);
        // all wrong, all right
        assertThat(Metrics.passAtK(16, 0, 8)).isEqualTo(0.0);
        assertThat(Metrics.passAtK(16, 16, 1)).isEqualTo(1.0);
        // large n stays finite and matches the binomial form: n=200, c=13, k=100
        assertThat(Metrics.passAtK(200, 13, 100)).isCloseTo(1 - binomRatio(200, 13, 100), within(1e-12));
    }

    /** C(n-c, k) / C(n, k) as a product of ratios, computed independently. */
    private static double binomRatio(int n, int c, int k) {
        double r = 1;
        for (int j = 0; j < k; j++) {
            r *= (double) (n - c - j) / (n - j);
        }
        return r;
    }

    @Test
    void passAtKOverProblemsWithStandardError() {
        Metrics.Estimate e = Metrics.passAtK(new int[] {4, 4, 4}, new int[] {0, 2, 4}, 1);
        assertThat(e.mean()).isCloseTo(0.5, within(EPS));
        // per-problem 0, .5, 1: sample sd 0.5, stderr 0.5 / sqrt(3)
        assertThat(e.stderr()).isCloseTo(0.5 / Math.sqrt(3), within(EPS));
        assertThat(e.problems()).isEqualTo(3);
        assertThat(Metrics.passAtK(new int[] {4}, new int[] {1}, 1).stderr()).isNaN();
    }

    @Test
    void kLargerThanNIsAClearError() {
        assertThatThrownBy(() -> Metrics.passAtK(4, 1, 5)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("pass@5 needs at least 5 samples per problem, got 4");
        assertThatThrownBy(() -> Metrics.passAtK(4, 5, 1)).isInstanceOf(ZerorlException.class);
        assertThatThrownBy(() -> Metrics.majAtK(List.of(List.of("1")), List.of("1"), 2))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("maj@2");
    }

    @Test
    void passAt1IsMeanOverSamples() {
        Metrics.Estimate e = Metrics.passAt1(List.of(new boolean[] {true, false, false, false}, new boolean[] {true, true}));
        assertThat(e.mean()).isCloseTo((0.25 + 1.0) / 2, within(EPS));
    }

    @Test
    void majorityVoteTiesGoToTheEarliestFirstVote() {
        assertThat(Metrics.majorityVote(Arrays.asList("3", "5", "5", "3"))).contains("3");
        assertThat(Metrics.majorityVote(Arrays.asList(null, "5", "3", "3", "5"))).contains("5");
        assertThat(Metrics.majorityVote(Arrays.asList("1", "2", "2"))).contains("2");
        assertThat(Metrics.majorityVote(Arrays.asList(null, null))).isEmpty();
        assertThat(Metrics.majorityVote(List.of())).isEmpty();
    }

    @Test
    void majAtKCases() {
        List<List<String>> answers = List.of(
                Arrays.asList("42", "41", "42", "7"),   // majority right
                Arrays.asList("1", "2", "2", "1"),      // tie 1 vs 2: "1" voted first, gold 2 -> wrong
                Arrays.asList(null, null, null, null),  // nothing extracted -> wrong
                Arrays.asList(null, "9", null, null));  // a single vote decides -> right
        List<String> golds = List.of("42", "2", "0", "9");
        assertThat(Metrics.majAtK(answers, golds, 4).mean()).isCloseTo(0.5, within(EPS));
        // only the first two samples: problem 1 becomes a "1" vs "2" tie again, problem 0 a 42/41 tie -> 42
        assertThat(Metrics.majAtK(answers, golds, 2).mean()).isCloseTo(0.5, within(EPS));
        // all right / all wrong
        assertThat(Metrics.majAtK(List.of(List.of("a"), List.of("b")), List.of("a", "b"), 1).mean()).isEqualTo(1.0);
        assertThat(Metrics.majAtK(List.of(List.of("a"), List.of("b")), List.of("x", "y"), 1).mean()).isEqualTo(0.0);
        // a custom matcher (e.g. numeric equality)
        assertThat(Metrics.majAtK(List.of(List.of("2.0")), List.of("2"), 1,
                (a, g) -> Double.parseDouble(a) == Double.parseDouble(g)).mean()).isEqualTo(1.0);
    }

    @Test
    void majAtKVerifiedUsesTheVerdictOfTheVotedAnswer() {
        List<List<String>> answers = List.of(
                Arrays.asList("42", "41", "42", "7"),   // 42 voted, its samples verified right
                Arrays.asList("1", "2", "2", "1"),      // tie: "1" first seen, verified wrong
                Arrays.asList(null, null, null, null),  // no answer at all: wrong
                Arrays.asList(null, "9", null, null),   // the single vote decides: right
                Arrays.asList("5", "5", "5", "5"));     // n = k, unanimous but wrong
        List<boolean[]> ok = List.of(new boolean[] {true, false, true, false}, new boolean[] {false, true, true, false},
                new boolean[] {false, false, false, false}, new boolean[] {false, true, false, false},
                new boolean[] {false, false, false, false});
        Metrics.Estimate m4 = Metrics.majAtKVerified(answers, ok, 4);
        assertThat(m4.mean()).isCloseTo(0.4, within(EPS));
        // per problem 1,0,0,1,0: sd = sqrt(0.3), se = sd / sqrt(5)
        assertThat(m4.stderr()).isCloseTo(Math.sqrt(0.3 / 5), within(EPS));
        // k = 1 is "first sample correct", and problems without a first answer are wrong
        assertThat(Metrics.majAtKVerified(answers, ok, 1).mean()).isCloseTo(0.2, within(EPS));
        // k = 2: {42,41} tie -> 42 right; {1,2} -> 1 wrong; none; {null,9} -> right; 5 wrong
        assertThat(Metrics.majAtKVerified(answers, ok, 2).mean()).isCloseTo(0.4, within(EPS));
        assertThatThrownBy(() -> Metrics.majAtKVerified(answers, ok, 5)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("maj@5 needs at least 5 samples");
    }
}
