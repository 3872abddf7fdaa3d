package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PretrainerTest {
    @TempDir
    Path tmp;

    private static PretrainConfig small(int steps) {
        return PretrainConfig.defaults().withSteps(steps).withBatch(8, 48).withLogEvery(5);
    }

    @Test
    void shortRunWritesALoadableCheckpointWithIdenticalLogits() {
        Path dir = tmp.resolve("model");
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir);
             Policy policy = Policy.init(BaseModel.config(), 1, Device.cpu(), DataType.FLOAT32)) {
            Pretrainer.train(policy, small(3), tok::encode, BuiltinTokenizer.EOS_ID, p -> {});
            BaseModelCache.writeModel(policy, dir);
            try (Policy loaded = Policy.load(dir, Device.cpu(), DataType.FLOAT32);
                 NDManager m = NDManager.newBaseManager()) {
                int[] ids = tok.encode(PretrainCorpus.instructedTurn("what is 1+2+3?") + "<think>");
                long[][] in = new long[1][ids.length];
                long[][] pos = new long[1][ids.length];
                long[][] mask = new long[1][ids.length];
                for (int i = 0; i < ids.length; i++) {
                    in[0][i] = ids[i];
                    pos[0][i] = i;
                    mask[0][i] = 1;
                }
                NDArray a = policy.forward(m.create(in), m.create(mask), m.create(pos));
                NDArray b = loaded.forward(m.create(in), m.create(mask), m.create(pos));
                assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
            }
        }
    }

    @Test
    void theCorpusWritesTheInstructionExactlyAsTheChatTemplateRendersIt() {
        Path dir = tmp.resolve("tok");
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertThat(PretrainCorpus.INSTRUCTION).isEqualTo(BuiltinTokenizer.DEFAULT_INSTRUCTION);
            String rendered = tok.applyChatTemplate(List.of(new ChatMessage("user", "what is 1+2+3?")), true);
            assertThat(rendered).isEqualTo(PretrainCorpus.instructedTurn("what is 1+2+3?"));
            // the RL prompt of a task question is exactly what the tagged documents start with, question aside
            PretrainCorpus corpus = new PretrainCorpus(SumTask.defaults(), PretrainCorpus.Mix.defaults());
            assertThat(corpus.documents(300, 1)).filteredOn(d -> d.contains("<think>"))
                    .isNotEmpty().allMatch(d -> d.startsWith(PretrainCorpus.INSTRUCTION + "\nQuestion: "));
        }
    }

    @Test
    void cacheHitSkipsTraining() {
        List<String> log = new ArrayList<>();
        PretrainConfig cfg = small(2);
        BaseModelCache.Outcome first = BaseModelCache.ensure(tmp, cfg, log::add);
        assertThat(first.cached()).isFalse();
        assertThat(first.result().steps()).isEqualTo(2);
        assertThat(first.dir()).isEqualTo(BaseModelCache.dir(tmp, cfg));
        assertThat(first.dir().getFileName().toString()).matches("tiny-moe-base-[0-9a-f]{12}");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json", BaseModelCache.MARKER)) {
            assertThat(first.dir().resolve(f)).isRegularFile();
        }
        log.clear();
        BaseModelCache.Outcome second = BaseModelCache.ensure(tmp, cfg, log::add);
        assertThat(second.cached()).isTrue();
        assertThat(second.result()).isNull();
        assertThat(log).noneMatch(l -> l.startsWith("pretrain step"));
        // other settings, other folder; no temporary folders left behind
        assertThat(BaseModelCache.dirName(cfg)).isNotEqualTo(BaseModelCache.dirName(cfg.withSeed(7)));
        assertThat(tmp.resolve("models").toFile().list()).containsExactly(first.dir().getFileName().toString());
        try (Policy p = Policy.load(second.dir(), Device.cpu(), DataType.FLOAT32)) {
            assertThat(p.config().vocabSize).isEqualTo(BuiltinTokenizer.vocabSize());
        }
        assertThat(Files.exists(first.dir())).isTrue();
    }

    @Test
    void lossDecreases() {
        Path dir = tmp.resolve("tok");
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir);
             Policy policy = Policy.init(BaseModel.config(), 2, Device.cpu(), DataType.FLOAT32)) {
            Pretrainer.Result r = Pretrainer.train(policy, small(30), tok::encode, BuiltinTokenizer.EOS_ID, p -> {});
            assertThat(r.meanLoss(false, 5)).isGreaterThan(4.0); // ~ln(102) at the start
            assertThat(r.meanLoss(true, 5)).isLessThan(r.meanLoss(false, 5) - 1.0);
        }
    }
}
