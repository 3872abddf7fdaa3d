package io.zerorl.data;

import io.zerorl.TestPaths;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetsTest {
    private static final DatasetRegistry REGISTRY = DatasetRegistry.builtin();
    private static final DataDirs SHARED = DataDirs.resolve(TestPaths.datasets());

    @ParameterizedTest
    @CsvSource({"gsm8k,1319", "math500,500", "aime24,30", "amc23,40", "humaneval,164", "mbpp,500",
            "mbpp_sanitized,257", "countdown,256"})
    void everyDescriptorLoadsItsFileWithTheRightCount(String name, int count) {
        Dataset ds = REGISTRY.load(name, SHARED);
        assertThat(ds.rows()).hasSize(count);
        List<Problem> problems = ds.problems();
        assertThat(problems).allSatisfy(p -> {
            assertThat(p.question()).isNotBlank();
            assertThat(p.answer()).isNotBlank();
        });
        assertThat(problems.stream().map(Problem::id).distinct()).hasSize(count);
        for (String template : List.of("r1", "plain", "chat")) {
            List<String> prompts = ds.prompts(template, (sys, user) -> "<|im_start|>user\n" + user + "<|im_end|>\n");
            assertThat(prompts).hasSize(count);
            assertThat(prompts.get(0)).contains(problems.get(0).question());
        }
    }

    @Test
    void projectFolderDescriptorsEqualTheBuiltins() {
        DatasetRegistry fromFolder = new DatasetRegistry().loadDirectory(Path.of("datasets"));
        assertThat(fromFolder.all()).containsExactlyElementsOf(REGISTRY.all());
        assertThat(REGISTRY.all()).extracting(DatasetDescriptor::name).containsExactlyInAnyOrderElementsOf(DatasetRegistry.BUILTIN);
    }

    @Test
    void goldAnswersAndQuestionsPerKind() {
        Problem g = REGISTRY.load("gsm8k", SHARED).problems().get(0);
        assertThat(g.answer()).isEqualTo("18");
        assertThat(g.kind()).isEqualTo(AnswerKind.GSM8K);
        assertThat(g.id()).isEqualTo("gsm8k/1");
        assertThat(REGISTRY.load("gsm8k", SHARED).problems()).anyMatch(p -> p.answer().contains(","));

        Problem amc = REGISTRY.load("amc23", SHARED).problems().get(0);
        assertThat(amc.answer()).isEqualTo("27"); // stored as the float 27.0
        assertThat(REGISTRY.load("aime24", SHARED).problems()).anyMatch(p -> p.answer().equals("025"));

        Problem he = REGISTRY.load("humaneval", SHARED).problems().get(0);
        assertThat(he.id()).isEqualTo("HumanEval/0");
        assertThat(he.question()).startsWith("Complete the following Python function:\n\n```python\nfrom typing import List")
                .contains("def has_close_elements(numbers: List[float], threshold: float) -> bool:").endsWith("```");

        List<Problem> mbpp = REGISTRY.load("mbpp", SHARED).problems();
        assertThat(mbpp.get(0).id()).isEqualTo("11");
        assertThat(mbpp.get(mbpp.size() - 1).id()).isEqualTo("510");
        assertThat(mbpp.get(0).question()).contains("Your code should pass this test:\nassert remove_Occ(\"hello\",\"l\") == \"heo\"");

        Problem cd = REGISTRY.load("countdown", SHARED).problems().get(0);
        assertThat(cd.question()).startsWith("Using the numbers [30, 100, 93], create an equation that equals 23.");
        assertThat(cd.answer()).isEqualTo("23");
    }

    @Test
    void promptTemplates() {
        assertThat(PromptTemplates.get("r1", null).render("What is 2+3?"))
                .startsWith("A conversation between User and Assistant.")
                .contains("The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags")
                .endsWith("User: What is 2+3?. Assistant:");
        assertThat(PromptTemplates.get("plain", null).render("Q")).isEqualTo("Q");
        assertThat(PromptTemplates.get("chat", (sys, u) -> "[" + sys + "|" + u + "]").render("Q")).isEqualTo("[null|Q]");
        assertThatThrownBy(() -> PromptTemplates.get("chat", null)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("use the r1 or plain prompt template");
        assertThatThrownBy(() -> PromptTemplates.get("r2", null)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("did you mean 'r1'");
    }

    @Test
    void unknownBenchmarkListsKnownOnes() {
        assertThatThrownBy(() -> REGISTRY.get("gsm9k")).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("unknown dataset 'gsm9k'; did you mean 'gsm8k'?")
                .hasMessageContaining("aime24, amc23, countdown, gsm8k, humaneval, math500, mbpp, mbpp_sanitized");
    }

    @Test
    void missingFileSaysWhereToPlaceItAndHowToFetch(@TempDir Path tmp) {
        assertThatThrownBy(() -> REGISTRY.load("gsm8k", DataDirs.resolve(tmp))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("Place https://raw.githubusercontent.com/openai/grade-school-math/")
                .hasMessageContaining(" at " + tmp.resolve("gsm8k/test.jsonl"))
                .hasMessageContaining("zerorl datasets fetch gsm8k --data-dir " + tmp);
    }

    @Test
    void truncatedFileIsDetectedByTheRowCount(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("amc23"));
        List<String> lines = Files.readAllLines(TestPaths.datasets().resolve("amc23/test.jsonl"));
        Files.write(tmp.resolve("amc23/test.jsonl"), lines.subList(0, 39));
        assertThatThrownBy(() -> REGISTRY.load("amc23", DataDirs.resolve(tmp))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("gave 39 rows for 'amc23', expected 40");
    }

    private static DatasetDescriptor parse(String yaml) {
        return DatasetDescriptor.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "x.yaml");
    }

    @Test
    void descriptorValidation() {
        String ok = "name: t\ndescription: d\nfile: t.jsonl\nurl: http://x\nquestion_field: q\nanswer_field: a\nanswer_kind: math\n";
        assertThat(parse(ok).template()).isEqualTo("r1");
        assertThatThrownBy(() -> parse(ok + "answer_feild: a\n")).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("x.yaml: unknown key 'answer_feild'; did you mean 'answer_field'?");
        assertThatThrownBy(() -> parse(ok.replace("answer_kind: math", "answer_kind: maths")))
                .hasMessageContaining("unknown answer_kind 'maths'; did you mean 'math'?");
        assertThatThrownBy(() -> parse(ok.replace("url: http://x\n", ""))).hasMessageContaining("missing required key 'url'");
        assertThatThrownBy(() -> parse(ok + "question_builder: humaneavl\n")).hasMessageContaining("did you mean 'humaneval'");
        assertThatThrownBy(() -> parse(ok + "filter: {field: id, min: 1, mx: 3}\n")).hasMessageContaining("did you mean 'max'");
        assertThatThrownBy(() -> parse(ok + "template: chatml\n")).hasMessageContaining("unknown template 'chatml'");
        assertThatThrownBy(() -> parse("name: [")).hasMessageContaining("Malformed YAML in x.yaml");
    }

    @Test
    void rowGettersGiveClearErrors() {
        DatasetRow row = new DatasetRow("gsm8k/test.jsonl", 17, java.util.Map.of("answer", "42", "n", 3L));
        assertThatThrownBy(() -> row.getString("question")).isInstanceOf(ZerorlException.class)
                .hasMessageStartingWith("row 17 of gsm8k/test.jsonl has no field 'question'");
        assertThatThrownBy(() -> row.getString("n")).hasMessageContaining("field 'n' is a number (3), not a string");
        assertThat(row.getLong("n")).isEqualTo(3);
        assertThat(row.getLong("answer")).isEqualTo(42);
        assertThatThrownBy(() -> row.getStringList("answer")).hasMessageContaining("not a list of strings");
    }
}
