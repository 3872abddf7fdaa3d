package io.zerorl.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens the generated report in headless Chromium and checks the screenshot shows a page with charts
 * (not blank, not one colour). Skipped when no chromium is installed; {@code .ci/run} installs it.
 */
class ChromiumRenderTest {
    static Optional<Path> chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void reportRendersInHeadlessChromium(@TempDir Path tmp) throws Exception {
        Optional<Path> browser = chromium();
        assumeTrue(browser.isPresent(), "chromium is not installed (apt-get install chromium); skipping the render check");

        Path run = SyntheticRun.write(tmp.resolve("run"), 50);
        RunReport.Result r = RunReport.write(run, tmp.resolve("out"), 4);
        Path shot = tmp.resolve("shot.png");
        List<String> cmd = new ArrayList<>(List.of(browser.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                "--user-data-dir=" + tmp.resolve("profile"), "--screenshot=" + shot, "--window-size=1200,2000",
                r.html().toUri().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s:\n" + log(tmp));
        }
        assertThat(shot).as("screenshot written; chromium said:\n" + log(tmp)).exists();
        if (System.getProperty("zerorl.screenshot") != null) {
            Files.copy(shot, Path.of(System.getProperty("zerorl.screenshot")), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        BufferedImage img = ImageIO.read(shot.toFile());
        assertThat(img.getWidth()).isEqualTo(1200);
        assertThat(img.getHeight()).isEqualTo(2000);
        Map<Integer, Integer> histogram = new HashMap<>();
        int dark = 0;
        int samples = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                histogram.merge(rgb, 1, Integer::sum);
                int lum = ((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF);
                if (lum < 3 * 128) {
                    dark++;
                }
                samples++;
            }
        }
        int top = histogram.values().stream().max(Integer::compare).orElse(0);
        // a white page with text and charts: many colours (anti-aliased lines), the background well under 99 %,
        // and some dark pixels (text); an error page or a blank page fails at least one of these
        assertThat(histogram.size()).as("distinct colours").isGreaterThan(50);
        assertThat((double) top / samples).as("share of the most common colour").isLessThan(0.97);
        assertThat((double) dark / samples).as("share of dark pixels").isBetween(0.002, 0.5);
        // the chart colours of XChart's default theme (blue series line) appear: the embedded images rendered
        assertThat(histogram.keySet().stream().anyMatch(ChromiumRenderTest::bluish)).as("chart lines visible").isTrue();
    }

    private static boolean bluish(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return b > 180 && r < 110 && g < 140;
    }

    private static String log(Path tmp) throws IOException {
        Path log = tmp.resolve("chromium.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
