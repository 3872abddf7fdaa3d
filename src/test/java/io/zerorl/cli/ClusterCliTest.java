package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** eval and generate with --master local-cluster[2,1,1024] (two executor JVMs) give what they give in-process. */
class ClusterCliTest {
    static final String MASTER = "local-cluster[2,1,1024]";

    /** The pass@k table without its time column. */
    static List<String> table(String out) {
        List<String> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("| ")) {
                rows.add(line.substring(0, line.lastIndexOf('|', line.length() - 2)));
            }
        }
        return rows;
    }

    /** Each problem's samples (text, answer, score), without timings. */
    static List<String> samples(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode j = Json.MAPPER.readTree(line);
            out.add(j.get("id").asText() + " " + j.get("correct") + " " + j.get("samples"));
        }
        return out;
    }

    @Test
    void evalOnTwoExecutorsPrintsTheSamePassAtKAndSamples(@TempDir Path tmp) throws IOException {
        String model = TestPaths.fixture("qwen2-tiny").toString();
        List<String> common = List.of("eval", "--model", model, "--benchmark", "gsm8k", "--limit", "4", "--n", "2",
                "--k", "1,2", "--batch-size", "1", "--max-new-tokens", "12", "--temperature", "1.0", "--seed", "3",
                "--template", "plain", "--device", "cpu", "--data-dir", TestPaths.datasets().toString());
        List<String> local = new ArrayList<>(common);
        local.addAll(List.of("--output", tmp.resolve("local").toString()));
        List<String> spark = new ArrayList<>(common);
        spark.addAll(List.of("--output", tmp.resolve("spark").toString(), "--master", MASTER));
        CliRun.Result a = CliRun.run(local.toArray(String[]::new));
        CliRun.Result b = CliRun.run(spark.toArray(String[]::new));
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(table(b.out())).hasSize(2).isEqualTo(table(a.out()));
        assertThat(table(b.out()).get(1)).startsWith("| gsm8k | 2 |");
        assertThat(samples(tmp.resolve("spark/gsm8k/problems.jsonl")))
                .hasSize(4).isEqualTo(samples(tmp.resolve("local/gsm8k/problems.jsonl")));
    }

    @Test
    void generateOnTwoExecutorsWritesTheSameCompletions(@TempDir Path tmp) throws IOException {
        String model = TestPaths.fixture("qwen2-tiny").toString();
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            in.append("{\"prompt\": \"Count to ").append(i).append(":\"}\n");
        }
        Path input = Files.writeString(tmp.resolve("prompts.jsonl"), in.toString());
        List<String> common = List.of("generate", "--model", model, "--input", input.toString(), "--n", "2",
                "--batch-size", "2", "--max-new-tokens", "10", "--temperature", "0.8", "--seed", "9", "--device", "cpu");
        List<String> local = new ArrayList<>(common);
        local.addAll(List.of("--output", tmp.resolve("local.jsonl").toString()));
        List<String> spark = new ArrayList<>(common);
        spark.addAll(List.of("--output", tmp.resolve("spark.jsonl").toString(), "--master", MASTER));
        CliRun.Result a = CliRun.run(local.toArray(String[]::new));
        CliRun.Result b = CliRun.run(spark.toArray(String[]::new));
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(Files.readAllLines(tmp.resolve("spark.jsonl"))).hasSize(14)
                .isEqualTo(Files.readAllLines(tmp.resolve("local.jsonl")));
    }

    /** Without a master nothing of Spark is loaded, though its jars are on this class path. */
    @Test
    void withoutAMasterNoSparkClassIsLoaded(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("classes.txt");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
                "io.zerorl.cli.Main", "generate", "--model", TestPaths.fixture("qwen2-tiny").toString(), "--prompt",
                "hello", "--max-new-tokens", "4", "--device", "cpu");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("out.txt"))).isZero();
        String loaded = Files.readString(log);
        assertThat(loaded).contains("io.zerorl.rollout.RolloutEngine").doesNotContain("org.apache.spark")
                .doesNotContain("io.zerorl.cluster.spark");
        assertThat(System.getProperty("java.class.path")).contains("spark-core");
    }

    @Test
    void aMalformedMasterIsABadInput() {
        CliRun.Result r = CliRun.run("generate", "--model", TestPaths.fixture("qwen2-tiny").toString(), "--prompt", "hi",
                "--master", "local-cluster[2]");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("local-cluster[EXECUTORS,CORES,MEMORY_MB]");
    }
}
