package io.zerorl.notebooks;

import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every {@code notebooks/*.ipynb} cell by cell in JShell against the test class path (what a Java
 * Jupyter kernel would do); executed copies with outputs go to {@code target/notebooks/}, never over the
 * committed files.
 */
class NotebooksTest {
    static final Path DIR = Path.of("notebooks");
    static final Path OUT = Path.of("target", "notebooks");

    static NotebookRunner runner() {
        List<String> opts = new ArrayList<>(NotebookRunner.forwardedOptions());
        opts.add("-Dzerorl.shared=" + TestPaths.shared());
        opts.add("-Dai.djl.offline=true");
        return new NotebookRunner(System.getProperty("java.class.path"), opts, 600);
    }

    @TestFactory
    Stream<DynamicTest> everyNotebookRuns() throws IOException {
        List<Path> notebooks;
        try (Stream<Path> s = Files.list(DIR)) {
            notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertThat(notebooks).as("notebooks in " + DIR.toAbsolutePath()).isNotEmpty();
        NotebookRunner runner = runner();
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> {
            List<String> missing = NotebookRunner.missingClasses(nb);
            assumeTrue(missing.isEmpty(), () -> nb + " skipped: needs " + missing + ", not on the class path");
            byte[] before = Files.readAllBytes(nb);
            NotebookRunner.Result r = runner.run(nb);
            assertThat(r.codeCells()).isPositive();
            Json.write(OUT.resolve(nb.getFileName()), r.executed(), true);
            assertThat(Files.readAllBytes(nb)).as("the committed notebook is left as it was").isEqualTo(before);
        }));
    }

    @Test
    void aFailingCellIsReportedWithItsNumberAndReason(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("bad.ipynb");
        Files.writeString(bad, """
                {"cells": [
                  {"cell_type": "markdown", "metadata": {}, "source": ["# x"]},
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["int a = 1;\\n", "System.out.println(a + 1);"]},
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["String s = 42;"]}
                ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """);
        assertThatThrownBy(() -> runner().run(bad)).isInstanceOf(NotebookRunner.CellFailure.class)
                .hasMessageContaining("bad.ipynb, cell 3: snippet rejected").hasMessageContaining("incompatible types");

        Files.writeString(bad, """
                {"cells": [
                  {"cell_type": "code", "metadata": {}, "source": "int[] a = new int[1];\\nint b = a[3];"}
                ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """);
        assertThatThrownBy(() -> runner().run(bad)).isInstanceOf(NotebookRunner.CellFailure.class)
                .hasMessageContaining("cell 1: exception java.lang.ArrayIndexOutOfBoundsException");
    }

    @Test
    void outputsGoIntoTheExecutedCopy(@TempDir Path tmp) throws IOException {
        Path nb = tmp.resolve("ok.ipynb");
        Files.writeString(nb, """
                {"cells": [
                  {"cell_type": "code", "metadata": {}, "source": ["int a = 20;\\n", "System.out.println(\\"hello\\");\\n", "a + 22"]}
                ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """);
        NotebookRunner.Result r = runner().run(nb);
        String json = r.executed().toString();
        assertThat(json).contains("\"text\":[\"hello\\n\"]", "\"text/plain\":[\"42\"]", "\"execution_count\":1");
    }
}
