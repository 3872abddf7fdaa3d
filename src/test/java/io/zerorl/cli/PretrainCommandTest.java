package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.train.pretrain.BaseModel;
import io.zerorl.train.pretrain.BaseModelCache;
import io.zerorl.train.pretrain.PretrainConfig;
import io.zerorl.util.Files2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PretrainCommandTest {
    private static String runCapturing(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pretrainCachesAndReuses(@TempDir Path tmp) {
        String first = runCapturing("pretrain", "--steps", "2", "--log-every", "1", "--cache-dir", tmp.toString());
        assertThat(first).contains("pretrain step 2/2").contains("tokens/s");
        String dir = first.strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(Path.of(dir).resolve("model.safetensors")).isRegularFile();
        String second = runCapturing("pretrain", "--steps", "2", "--cache-dir", tmp.toString());
        assertThat(second).contains("found in cache").doesNotContain("pretrain step");
    }

    @Test
    void builtinResolvesToTheCachedBaseModelWhenPresent(@TempDir Path tmp) {
        String old = System.getProperty("zerorl.cache");
        System.setProperty("zerorl.cache", tmp.toString());
        try {
            assertThat(ModelRef.pretrained()).isEmpty();
            assertThat(ModelRef.config("builtin:tiny-moe").vocabSize).isEqualTo(BuiltinTokenizer.vocabSize());
            // stand in for a finished `zerorl pretrain` with default settings: weights, tokenizer, marker
            Path dir = BaseModelCache.dir(tmp, PretrainConfig.defaults());
            float[] expected;
            try (Policy p = Policy.init(BaseModel.config(), 99, Device.cpu(), DataType.FLOAT32)) {
                BaseModelCache.writeModel(p, dir);
                expected = p.parameters().get("lm_head.weight").toFloatArray();
            }
            BuiltinTokenizer.write(dir);
            Files2.writeAtomically(dir.resolve(BaseModelCache.MARKER), "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(ModelRef.pretrained()).contains(dir);
            try (Policy p = ModelRef.load("builtin:tiny-moe", Device.cpu(), DataType.FLOAT32, 1)) {
                assertThat(p.parameters().get("lm_head.weight").toFloatArray()).containsExactly(expected);
            }
            assertThat(Files.isDirectory(ModelRef.resolveDir("builtin:tiny-moe").orElseThrow())).isTrue();
        } finally {
            if (old == null) {
                System.clearProperty("zerorl.cache");
            } else {
                System.setProperty("zerorl.cache", old);
            }
        }
    }
}
