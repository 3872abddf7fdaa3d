package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import io.zerorl.TestPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pass without autograd whose attention scores would pass {@link Attention#SCORE_BLOCK_BYTES} attends in blocks of
 * query positions; the logits are the one-block logits bit for bit (with left padding, so the mask's blocks matter).
 */
class AttentionBlocksTest {
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "deepseekv3-tiny"})
    void blockedAttentionGivesTheSameLogitsBitForBit(String fixture) {
        try (Policy policy = Policy.load(TestPaths.fixture(fixture), Device.cpu(), DataType.FLOAT32);
             NDManager m = policy.manager().newSubManager()) {
            int rows = 128;
            int len = 70;
            long scoreBytes = (long) rows * policy.config().numHeads * len * len * 4;
            assertThat(scoreBytes).as("the shape needs blocks").isGreaterThan(2 * Attention.SCORE_BLOCK_BYTES);
            SplittableRandom rng = new SplittableRandom(5);
            long[][] ids = new long[rows][len];
            long[][] mask = new long[rows][len];
            for (int r = 0; r < rows; r++) {
                int pad = rng.nextInt(len / 2);
                for (int t = 0; t < len; t++) {
                    ids[r][t] = rng.nextInt(policy.config().vocabSize);
                    mask[r][t] = t < pad ? 0 : 1;
                }
            }
            float[] blocked;
            float[] whole;
            boolean before = JniUtils.isGradMode();
            try {
                JniUtils.setGradMode(false);
                blocked = policy.forward(m.create(ids), m.create(mask), m.create(Policy.positionIds(mask))).toFloatArray();
                JniUtils.setGradMode(true); // recording (no parameter needs a gradient): one block
                whole = policy.forward(m.create(ids), m.create(mask), m.create(Policy.positionIds(mask))).toFloatArray();
            } finally {
                JniUtils.setGradMode(before);
            }
            assertThat(blocked).hasSize(whole.length);
            for (int i = 0; i < whole.length; i++) {
                if (Float.floatToIntBits(blocked[i]) != Float.floatToIntBits(whole[i])) {
                    throw new AssertionError("logit " + i + " differs: " + blocked[i] + " vs " + whole[i]);
                }
            }
        }
    }
}
