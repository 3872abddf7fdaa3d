package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.zerorl.TestPaths;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyBlockTest {
    @Test
    void blockForwardEqualsPolicyForwardAndListsEveryParameter() {
        try (Policy policy = Policy.load(TestPaths.fixture("qwen3moe-tiny"), Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager()) {
            PolicyBlock block = new PolicyBlock(policy);
            assertThat(block.getParameters().size()).isEqualTo(policy.parameters().size());
            long[][] ids = {{0, 0, 57, 314, 280}, {292, 319, 329, 284, 16}};
            long[][] mask = {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}};
            long[][] pos = {{0, 0, 0, 1, 2}, {0, 1, 2, 3, 4}};
            NDArray viaBlock = block.forward(new ParameterStore(m, false),
                    new NDList(m.create(ids), m.create(mask)), false).singletonOrThrow();
            NDArray direct = policy.forward(m.create(ids), m.create(mask), m.create(pos));
            assertThat(viaBlock.toFloatArray()).containsExactly(direct.toFloatArray());
        }
    }
}
