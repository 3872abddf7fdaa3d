package io.zerorl.data;

import io.zerorl.TestPaths;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonlReaderTest {
    @Test
    void jsonArrayAndJsonlVariantsOfMbppSanitizedAgree() {
        List<DatasetRow> array = JsonlReader.read(TestPaths.datasets().resolve("mbpp/sanitized-mbpp.json"));
        List<DatasetRow> lines = JsonlReader.read(TestPaths.datasets().resolve("mbpp/sanitized-mbpp.jsonl"));
        assertThat(array).hasSize(427);
        assertThat(array.get(0).rowNumber()).isEqualTo(1);
        for (int i = 0; i < array.size(); i++) {
            assertThat(array.get(i).fields()).isEqualTo(lines.get(i).fields());
        }
    }

    @Test
    void blankLinesSkippedAndRowNumbersAreLineNumbers(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("a.jsonl");
        Files.writeString(f, "{\"q\": 1}\n\n{\"q\": 2}\n");
        List<DatasetRow> rows = JsonlReader.read(f, "x/a.jsonl");
        assertThat(rows).extracting(DatasetRow::rowNumber).containsExactly(1, 3);
        assertThat(rows.get(1).source()).isEqualTo("x/a.jsonl");
    }

    @Test
    void malformedLineIsReportedWithItsLineNumber(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("a.jsonl");
        Files.writeString(f, "{\"q\": 1}\n{\"q\": 2}\n{\"q\": 3,\n{\"q\": 4}\n");
        assertThatThrownBy(() -> JsonlReader.read(f, "x/a.jsonl")).isInstanceOf(ZerorlException.class)
                .hasMessageStartingWith("x/a.jsonl line 3: malformed JSON");
        Files.writeString(f, "{\"q\": 1}\n[1, 2]\n");
        assertThatThrownBy(() -> JsonlReader.read(f, "x/a.jsonl")).hasMessageStartingWith("x/a.jsonl line 2: expected a JSON object");
        Files.writeString(f, "[{\"q\": 1}, 3]");
        assertThatThrownBy(() -> JsonlReader.read(f, "x/a.json")).hasMessageContaining("element 2 is not a JSON object");
        assertThatThrownBy(() -> JsonlReader.read(tmp.resolve("none.jsonl"))).hasMessageContaining("not found");
    }
}
