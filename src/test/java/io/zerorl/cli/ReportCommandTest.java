package io.zerorl.cli;

import io.zerorl.report.Charts;
import io.zerorl.report.SyntheticRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ReportCommandTest {
    static final List<String> REQUIRED = List.of("reward", "accuracy", "kl", "completion_length", "clip_fraction", "entropy");

    static CliRun.Result run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void writesChartsAndASelfContainedPage(@TempDir Path tmp) throws IOException {
        Path runDir = SyntheticRun.write(tmp.resolve("run"), 50);
        Path out = tmp.resolve("out");
        CliRun.Result r = run("report", runDir.toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("report.html", "PNG");

        for (String name : REQUIRED) {
            Path png = out.resolve(name + ".png");
            assertThat(png).exists();
            BufferedImage img = ImageIO.read(png.toFile());
            assertThat(img).as(name).isNotNull();
            assertThat(img.getWidth()).isEqualTo(Charts.WIDTH);
            assertThat(img.getHeight()).isEqualTo(Charts.HEIGHT);
            assertThat(distinctColours(img)).as(name + " has content").isGreaterThan(3);
        }

        String html = Files.readString(out.resolve("report.html"));
        for (String name : REQUIRED) {
            assertThat(html).contains("id=\"chart-" + name + "\"");
        }
        // every image is an embedded PNG that decodes; nothing is loaded from elsewhere
        Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            assertThat(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))))).isNotNull();
            images++;
        }
        assertThat(images).isGreaterThanOrEqualTo(REQUIRED.size());
        assertThat(html).doesNotContainPattern("(src|href)=\"(?!data:)").doesNotContain("<script", "http://", "https://");

        // samples: early and late, escaped
        assertThat(html).contains("Early: step 1", "Late: step 50")
                .contains("&lt;answer&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;/answer&gt;")
                .contains("2 &lt; 3 &amp;&amp; 5 &gt; 4");
        // headline numbers, recipe, eval before/after
        assertThat(html).contains("reward at step 1", "reward at step 50", "0.2100", "0.5800", "+0.3700")
                .contains("epsilon_high: 0.28");
    }

    @Test
    void defaultOutputIsInsideTheRunDirAndMissingOptionalFilesAreNoted(@TempDir Path tmp) throws IOException {
        Path runDir = tmp.resolve("run");
        Files.createDirectories(runDir);
        // only two metrics, and a second line lacking one of them
        Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":1,\"reward\":0.1,\"kl\":0.0}\n{\"step\":2,\"reward\":0.3}\n");
        CliRun.Result r = run("report", runDir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("not drawn: entropy");
        Path out = runDir.resolve("report");
        assertThat(out.resolve("report.html")).exists();
        assertThat(out.resolve("reward.png")).exists();
        assertThat(out.resolve("kl.png")).exists();
        assertThat(out.resolve("entropy.png")).doesNotExist();
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("Not in metrics.jsonl (entropy)", "No samples.jsonl", "No recipe.yaml", "No evaluation");
    }

    @Test
    void missingRunDirIsABadInput(@TempDir Path tmp) {
        CliRun.Result r = run("report", tmp.resolve("nope").toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).startsWith("error: Run directory not found: ").contains("nope");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void missingOrEmptyMetricsIsABadInput(@TempDir Path tmp) throws IOException {
        CliRun.Result none = run("report", tmp.toString());
        assertThat(none.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(none.err()).contains("No metrics.jsonl in " + tmp);

        Files.writeString(tmp.resolve("metrics.jsonl"), "\n\n");
        CliRun.Result empty = run("report", tmp.toString());
        assertThat(empty.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(empty.err()).contains("metrics.jsonl is empty");
    }

    @Test
    void malformedMetricsNamesTheLine(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("metrics.jsonl"), "{\"step\":1,\"reward\":0.1}\n{\"step\":2,\"reward\":}\n{\"step\":3}\n");
        CliRun.Result r = run("report", tmp.toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("Malformed JSON in", "metrics.jsonl line 2");
        assertThat(Files.exists(tmp.resolve("report"))).isFalse();

        Files.writeString(tmp.resolve("metrics.jsonl"), "{\"step\":1}\n[1,2]\n");
        CliRun.Result arr = run("report", tmp.toString());
        assertThat(arr.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(arr.err()).contains("metrics.jsonl line 2: expected a JSON object, got array");
    }

    @Test
    void anUnfinishedLastLineOfALiveRunIsSkippedWithAWarning(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("metrics.jsonl"), "{\"step\":1,\"reward\":0.1}\n{\"step\":2,\"reward\":0.2}\n{\"step\":3,\"rew");
        CliRun.Result r = run("report", tmp.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("warning: metrics.jsonl line 3 is incomplete");
    }

    @Test
    void malformedSamplesNamesTheLine(@TempDir Path tmp) throws IOException {
        SyntheticRun.write(tmp, 5);
        Files.writeString(tmp.resolve("samples.jsonl"), "{\"step\":1,\"completion\":\"a\"}\nnot json\n");
        CliRun.Result r = run("report", tmp.toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("samples.jsonl line 2");
    }

    static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
                if (colours.size() > 50) {
                    return colours.size();
                }
            }
        }
        return colours.size();
    }
}
