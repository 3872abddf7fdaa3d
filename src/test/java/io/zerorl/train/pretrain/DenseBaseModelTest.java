package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in dense model (the distillation demonstration's student) beside the quickstart's MoE. */
class DenseBaseModelTest {
    @Test
    void theDenseModelIsSmallerAndCachedApartFromTheMoe(@TempDir Path tmp) {
        PretrainConfig cfg = PretrainConfig.defaults().withSteps(2).withBatch(4, 32);
        // the quickstart's cache folder is named as before
        assertThat(BaseModelCache.dirName(cfg)).isEqualTo(BaseModelCache.dirName(cfg, BaseModel.Variant.MOE))
                .startsWith("tiny-moe-base-");
        assertThat(BaseModelCache.dirName(cfg, BaseModel.Variant.DENSE)).startsWith("tiny-dense-base-");
        var dense = BaseModel.Variant.DENSE.config();
        var moe = BaseModel.Variant.MOE.config();
        assertThat(dense.vocabSize).isEqualTo(moe.vocabSize);
        Pretrainer.Result r = BaseModelCache.trainInto(tmp.resolve("dense"), cfg, line -> {}, null,
                BaseModel.Variant.DENSE);
        assertThat(r.steps()).isEqualTo(2);
        try (Policy d = Policy.load(tmp.resolve("dense"), Device.cpu(), DataType.FLOAT32);
             Policy m = Policy.init(moe, 1, Device.cpu(), DataType.FLOAT32)) {
            assertThat(d.config().modelType).isEqualTo("qwen2");
            long nd = d.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            long nm = m.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertThat(nd).as("dense %d vs MoE %d parameters", nd, nm).isLessThan(nm / 2);
        }
    }
}
