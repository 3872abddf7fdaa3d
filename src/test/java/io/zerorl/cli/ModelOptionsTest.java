package io.zerorl.cli;

import io.zerorl.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command that loads a model takes {@code --device}, {@code --dtype} and {@code --threads} with one vocabulary
 * (the shared {@link ComputeOptions} mixin; {@link ModelOptions} adds {@code --model} and {@code --seed} where one model
 * is loaded): fp16 under either spelling runs, bf16 and unknown values fail with the same message and exit code 2.
 */
class ModelOptionsTest {
    /** Each model-loading command, as a user would call it on the tiny fixture. */
    private static Map<String, List<String>> commands(Path tmp) throws Exception {
        String model = TestPaths.fixture("qwen2-tiny").toString();
        Path ids = tmp.resolve("ids.json");
        Files.writeString(ids, "{\"input_ids\": [[1, 2, 3]]}");
        Map<String, List<String>> c = new LinkedHashMap<>();
        c.put("forward", List.of("forward", "--model", model, "--seed", "3", "--input", ids.toString(), "--output",
                tmp.resolve("logits.json").toString()));
        c.put("generate", List.of("generate", "--model", model, "--seed", "3", "--prompt", "2 + 2 =", "--max-new-tokens", "3"));
        Path benchmark = EvalCommandTestSupport.toyBenchmark(tmp);
        c.put("eval", List.of("eval", "--model", model, "--seed", "3", "--benchmark", benchmark.toString(), "--data-dir",
                tmp.resolve("data").toString(), "--max-new-tokens", "4", "--template", "chat", "--output",
                tmp.resolve("eval").toString()));
        c.put("bench rollout", List.of("bench", "rollout", "--models", "fixture:qwen2-tiny", "--batches", "1",
                "--prompt-len", "4", "--new-tokens", "2", "--uncached-tokens", "0", "--fixtures",
                TestPaths.fixtures().toString()));
        return c;
    }

    private static CliRun.Result run(List<String> base, String... extra) {
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void everyModelCommandTakesTheSameDeviceAndDtypeSpellings(@TempDir Path tmp) throws Exception {
        for (Map.Entry<String, List<String>> c : commands(tmp).entrySet()) {
            for (String fp16 : List.of("fp16", "float16")) {
                CliRun.Result r = run(c.getValue(), "--device", "cpu", "--dtype", fp16, "--threads", "1");
                assertThat(r.code()).as(c.getKey() + " --dtype " + fp16 + ": " + r.err()).isZero();
            }
            CliRun.Result auto = run(c.getValue(), "--device", "auto", "--dtype", "float32");
            assertThat(auto.code()).as(c.getKey() + " --device auto: " + auto.err()).isZero();

            CliRun.Result bf16 = run(c.getValue(), "--dtype", "bf16");
            assertThat(bf16.code()).as(c.getKey()).isEqualTo(2);
            assertThat(bf16.err()).as(c.getKey()).contains("bfloat16 compute is not available").contains("--dtype fp16");
            CliRun.Result tpu = run(c.getValue(), "--device", "tpu");
            assertThat(tpu.code()).as(c.getKey()).isEqualTo(2);
            assertThat(tpu.err()).as(c.getKey()).contains("Unknown device 'tpu'; use cpu, gpu, gpu:N or auto");
            CliRun.Result threads = run(c.getValue(), "--threads", "0");
            assertThat(threads.code()).as(c.getKey()).isEqualTo(2);
            assertThat(threads.err()).as(c.getKey()).contains("--threads must be >= 1, got 0");
        }
    }

    /** The commands that train (the recipe names the device and precision) take --threads with the same parser. */
    @Test
    void trainingCommandsTakeTheSameThreadsOption() {
        for (List<String> c : List.of(List.of("train", "recipes/qwen2-tiny/grpo/toy.yaml"), List.of("pretrain"),
                List.of("quickstart"))) {
            CliRun.Result r = run(c, "--threads", "0");
            assertThat(r.code()).as(c.toString()).isEqualTo(2);
            assertThat(r.err()).as(c.toString()).contains("--threads must be >= 1, got 0");
        }
    }

    @Test
    void aCommandThatNeedsAModelSaysSo() {
        CliRun.Result r = CliRun.run("generate", "--prompt", "hi");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--model is required");
    }
}
