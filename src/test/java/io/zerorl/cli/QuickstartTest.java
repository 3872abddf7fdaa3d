package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's main job, end to end on the CPU from an empty cache: pretraining, evaluation, GRPO, evaluation,
 * export and report. Takes a few minutes; the accuracy gain is the issue's acceptance bar (>= 20 points).
 */
class QuickstartTest {
    @Test
    void rlWithRuleBasedRewardsRaisesHeldOutAccuracyByAtLeast20Points(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        int code = Main.run("quickstart", "--cache-dir", tmp.resolve("cache").toString(), "--output", out.toString());
        assertThat(code).isZero();

        JsonNode r = Json.readTree(out.resolve("quickstart.json"));
        double before = r.get("accuracyBefore").asDouble();
        double after = r.get("accuracyAfter").asDouble();
        System.out.printf("quickstart: held-out accuracy %.1f%% -> %.1f%%, format %.0f%% -> %.0f%%, seconds %s%n",
                100 * before, 100 * after, 100 * r.get("formatBefore").asDouble(), 100 * r.get("formatAfter").asDouble(),
                r.get("seconds"));
        assertThat(r.get("pretrained").asBoolean()).as("an empty cache means the base model was pretrained").isTrue();
        assertThat(100 * (after - before)).as("accuracy gain in points").isGreaterThanOrEqualTo(20.0);
        assertThat(r.get("formatAfter").asDouble()).isGreaterThan(0.9);

        Path export = out.resolve("export");
        assertThat(export.resolve("config.json")).exists();
        assertThat(export.resolve("generation_config.json")).exists();
        assertThat(export.resolve("tokenizer.json")).exists();
        assertThat(export.resolve("README.md")).exists();
        try (Checkpoint ck = Checkpoint.open(export)) {
            assertThat(ck.names()).contains("model.embed_tokens.weight", "model.layers.1.mlp.experts.0.up_proj.weight",
                    "model.layers.1.mlp.shared_experts.down_proj.weight", "model.layers.0.self_attn.kv_b_proj.weight");
        }
        assertThat(out.resolve("report/report.html")).exists();
        assertThat(out.resolve("eval_before.json")).exists();
        assertThat(out.resolve("metrics.jsonl")).exists();
        assertThat(Files.exists(out.resolve("eval_after.json"))).isTrue();
    }

    @Test
    void badInputFailsBeforeAnyPretraining(@TempDir Path tmp) {
        Path cache = tmp.resolve("cache");
        CliRun.Result r = CliRun.run("quickstart", "--cache-dir", cache.toString(), "--output", tmp.resolve("run").toString(),
                "--set", "train.group_sise=4");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("group_sise").contains("train.group_size");
        r = CliRun.run("quickstart", "--cache-dir", cache.toString(), "--recipe", tmp.resolve("missing.yaml").toString());
        assertThat(r.err()).contains("missing.yaml").contains("does not exist");
        assertThat(cache).doesNotExist();
    }
}
