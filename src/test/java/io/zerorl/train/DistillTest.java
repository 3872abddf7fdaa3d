package io.zerorl.train;

import ai.djl.ndarray.NDManager;
import io.zerorl.TestPaths;
import io.zerorl.data.PromptTemplate;
import io.zerorl.data.PromptTemplates;
import io.zerorl.model.NoGrad;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Distillation: rejection, the traces file, the student's SFT on the fixtures. */
class DistillTest {
    @TempDir
    Path tmp;

    static Recipe recipe(Path out, String... extra) {
        List<String> o = new ArrayList<>(List.of("output_dir=" + out,
                "model.path=" + TestPaths.fixture("qwen2-tiny"), "distill.teacher=" + TestPaths.fixture("qwen3-tiny")));
        o.addAll(List.of(extra));
        return RecipeLoader.load(Path.of("recipes/qwen2-tiny/distill/toy.yaml"), o);
    }

    @Test
    void rejectionKeepsExactlyThePassingRows() {
        record Row(String text, int tokens, double reward) {}
        // rows, min reward, max tokens, keep per prompt -> kept indices
        Object[][] table = {
            {List.of(new Row("a", 3, 1.0), new Row("b", 3, 0.0), new Row("c", 3, 1.0)), 1.0, 0, 8, List.of(0, 2)},
            {List.of(new Row("a", 3, 1.0), new Row("a ", 3, 1.0), new Row("c", 3, 1.0)), 1.0, 0, 8, List.of(0, 2)},
            {List.of(new Row("a", 3, 1.0), new Row("b", 3, 1.0), new Row("c", 3, 1.0)), 1.0, 0, 2, List.of(0, 1)},
            {List.of(new Row("a", 30, 1.0), new Row("b", 3, 1.0)), 1.0, 10, 8, List.of(1)},
            {List.of(new Row("a", 30, 0.5), new Row("b", 3, 0.49)), 0.5, 0, 8, List.of(0)},
            {List.of(new Row(" ", 1, 1.0), new Row("b", 3, -1.0)), 0.0, 0, 8, List.of()},
        };
        for (Object[] t : table) {
            @SuppressWarnings("unchecked")
            List<Row> rows = (List<Row>) t[0];
            Rejection rej = new Rejection((double) t[1], (int) t[2], (int) t[3]);
            List<Integer> got = rej.select(rows.stream().map(r -> new Rejection.Candidate(r.text(), r.tokens(),
                    r.reward())).toList());
            assertThat(got).as(rows + " min " + t[1] + " cap " + t[2] + " keep " + t[3]).isEqualTo(t[4]);
        }
    }

    @Test
    void badTracesAreReportedWithTheirLine() throws IOException {
        String good = "{\"question\": \"q\", \"completion\": \"c\"}\n";
        Object[][] cases = {
            {good + "{\"question\": \"q\"}\n", "line 2: missing field 'completion'"},
            {good + good + "{\"question\": \"q\", \"completion\": \"  \"}\n", "line 3: empty completion"},
            {"{\"completion\": \"c\"}\n", "line 1: missing field 'question'"},
            {good + "{\"question\": \"q\", \"completion\": \n", "line 2: malformed JSON"},
            {"{\"messages\": [{\"role\": \"user\"}], \"completion\": \"c\"}\n", "line 1: each of 'messages' needs"},
            {"\n", "holds no trace"},
        };
        for (Object[] c : cases) {
            Path f = Files.writeString(tmp.resolve("t.jsonl"), (String) c[0]);
            assertThatThrownBy(() -> Traces.read(f)).isInstanceOf(ZerorlException.class)
                    .hasMessageContaining((String) c[1]).hasMessageContaining(f.toString());
        }
        Path ok = Files.writeString(tmp.resolve("ok.jsonl"), good
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"completion\": \"yo\"}\n");
        List<Traces.Trace> t = Traces.read(ok);
        assertThat(t).hasSize(2);
        assertThat(t.get(1).messages()).extracting(ChatMessage::content).containsExactly("hi");
    }

    @Test
    void aTeacherThatPassesNothingStopsBeforeSft() {
        Recipe r = recipe(tmp.resolve("none"), "distill.min_reward=2.0");
        assertThatThrownBy(() -> DistillTraces.run(r, s -> { })).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("the teacher passed no trace for any of 16 prompts")
                .hasMessageContaining("distill.min_reward 2.0");
        assertThat(tmp.resolve("none/traces.jsonl")).doesNotExist();
        assertThat(tmp.resolve("none/traces.jsonl.partial")).doesNotExist();
    }

    @Test
    void phaseOneKeepsWhatTheRewardsPassAndPhaseTwoReadsItAfterARestart() throws IOException {
        Recipe r = recipe(tmp.resolve("run"));
        DistillTraces.Result res = DistillTraces.run(r, s -> { });
        List<String> lines = Files.readAllLines(res.traces());
        assertThat(lines).hasSize(res.kept()).isNotEmpty();
        assertThat(res.sampled()).isEqualTo(16 * 8);
        Map<Long, Integer> perPrompt = new java.util.HashMap<>();
        for (String l : lines) {
            var j = Json.MAPPER.readTree(l);
            assertThat(j.get("reward").asDouble()).isGreaterThanOrEqualTo(0.15);
            assertThat(j.get("rewards").get("toy_chars").asDouble()).isEqualTo(j.get("reward").asDouble());
            perPrompt.merge(j.get("prompt_index").asLong(), 1, Integer::sum);
        }
        assertThat(perPrompt.values()).allMatch(n -> n <= 2);
        // a second process: only the file is shared
        try (SftTrainer sft = new SftTrainer(r, res.traces(), false, s -> { })) {
            assertThat(sft.traces()).isEqualTo(res.kept());
            int[] all = java.util.stream.IntStream.range(0, sft.traces()).toArray();
            double before = sft.loss(all);
            sft.train(s -> { });
            assertThat(sft.step()).isEqualTo(sft.steps());
            assertThat(sft.loss(all)).isLessThan(before);
        }
        assertThat(Files.readAllLines(tmp.resolve("run/metrics.jsonl"))).hasSize((int) Math.ceil(res.kept() * 3 / 8.0));
    }

    /**
     * A student overfits 16 fixed traces to near-zero loss, and its prompt tokens carry none: what it assigns to the
     * prompts' own tokens stays far from memorised.
     */
    @Test
    void aStudentOverfitsSixteenTracesAndPromptTokensCarryNoLoss() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sb.append(Json.MAPPER.writeValueAsString(Map.of("question", "item " + i + " zq" + (i * 7) + " wk",
                    "completion", " answer " + (i % 4)))).append('\n');
        }
        Path f = Files.writeString(tmp.resolve("fixed.jsonl"), sb.toString());
        Recipe r = recipe(tmp.resolve("fit"), "distill.epochs=60", "train.prompts_per_step=16",
                "train.micro_batch_size=16", "optim.lr=0.01");
        try (SftTrainer sft = new SftTrainer(r, f, false, s -> { })) {
            int[] all = java.util.stream.IntStream.range(0, 16).toArray();
            double promptBefore = promptNll(sft, f);
            sft.train(s -> { });
            assertThat(sft.loss(all)).as("completion NLL after 60 epochs").isLessThan(0.05);
            double promptAfter = promptNll(sft, f);
            assertThat(promptAfter).as("prompt-token NLL (before: %.3f)", promptBefore).isGreaterThan(1.0);
        }
    }

    /** Mean NLL the student gives each prompt's own tokens after its first (teacher forcing over the prompt). */
    private static double promptNll(SftTrainer sft, Path traces) {
        try (Tokenizer tok = Tokenizer.load(TestPaths.fixture("qwen2-tiny")); NoGrad ng = new NoGrad();
             NDManager m = NDManager.newBaseManager()) {
            PromptTemplate plain = PromptTemplates.get("plain", null);
            List<int[]> first = new ArrayList<>();
            List<int[]> rest = new ArrayList<>();
            for (Traces.Trace t : Traces.read(traces)) {
                int[] p = tok.encodeWithBos(plain.render(t.question()));
                first.add(java.util.Arrays.copyOf(p, 1));
                rest.add(java.util.Arrays.copyOfRange(p, 1, p.length));
            }
            SequenceBatch b = new SequenceBatch(first, rest, null);
            return SftTrainer.completionNll(sft.policy(), b.tensors(m, 0, b.rows())).getFloat()
                    / (double) b.tokens(0, b.rows());
        }
    }

    @Test
    void tracesAreRetokenizedWithTheStudentsTokenizerAndChatTemplate() {
        Traces.Trace t = new Traces.Trace("What is 2 + 3?", null, " <think>add</think> 5", 1);
        Path fixtures = TestPaths.fixtures();
        try (Tokenizer student = Tokenizer.load(fixtures.resolve("qwen2-tiny"))) {
            PromptTemplate chat = PromptTemplates.get("chat", (sys, user) -> {
                List<ChatMessage> m = new ArrayList<>();
                if (sys != null) {
                    m.add(ChatMessage.system(sys));
                }
                m.add(ChatMessage.user(user));
                return student.applyChatTemplate(m, true);
            });
            int[][] ids = SftTrainer.encode(student, chat, t, student.eosTokenIds());
            String rendered = student.applyChatTemplate(List.of(ChatMessage.user("What is 2 + 3?")), true);
            assertThat(rendered).contains("What is 2 + 3?").isNotEqualTo("What is 2 + 3?");
            assertThat(ids[0]).isEqualTo(student.encodeWithBos(rendered));
            int[] c = student.encode(" <think>add</think> 5");
            assertThat(java.util.Arrays.copyOf(ids[1], c.length)).isEqualTo(c);
            assertThat(ids[1][c.length]).as("ends with the student's EOS").isEqualTo(student.eosTokenIds()[0]);
            assertThat(student.decode(ids[1], false)).startsWith(" <think>add</think> 5");
            // messages instead of a question: the chat template over them, with a generation prompt
            Traces.Trace m = new Traces.Trace(null, List.of(ChatMessage.system("Be brief."),
                    ChatMessage.user("What is 2 + 3?")), " 5", 2);
            int[][] mi = SftTrainer.encode(student, chat, m, student.eosTokenIds());
            assertThat(mi[0]).isEqualTo(student.encodeWithBos(student.applyChatTemplate(m.messages(), true)));
            assertThat(student.decode(mi[0], false)).contains("Be brief.");
        }
    }

    @Test
    void anInterruptedTracesPhaseContinuesToTheSameFile() throws IOException {
        Path whole = DistillTraces.run(recipe(tmp.resolve("whole")), s -> { }).traces();
        Recipe r = recipe(tmp.resolve("cut"));
        assertThatThrownBy(() -> DistillTraces.run(r, s -> {
            if (s.startsWith("traces: 8 / 16")) {
                throw new IllegalStateException("killed");
            }
        })).hasMessage("killed");
        assertThat(tmp.resolve("cut/traces.jsonl")).doesNotExist();
        assertThat(tmp.resolve("cut/traces.jsonl.partial")).exists();
        List<String> log = new ArrayList<>();
        DistillTraces.Result again = DistillTraces.run(r, log::add);
        assertThat(log.get(0)).startsWith("traces: continuing after 8 of 16 prompts");
        assertThat(Files.readAllLines(again.traces()).stream().map(DistillTest::withoutTeacherPath).toList())
                .isEqualTo(Files.readAllLines(whole).stream().map(DistillTest::withoutTeacherPath).toList());
    }

    private static String withoutTeacherPath(String line) {
        return line.replaceAll("\"teacher\":\"[^\"]*\"", "");
    }

    @Test
    void aResumedSftEqualsTheUninterruptedOne() throws IOException {
        Recipe r0 = recipe(tmp.resolve("t"));
        Path traces = DistillTraces.run(r0, s -> { }).traces();
        String[] settings = {"checkpoint.every=2", "distill.epochs=1", "train.prompts_per_step=4",
                "train.micro_batch_size=2"};
        Map<String, float[]> uninterrupted = new java.util.HashMap<>();
        try (SftTrainer a = new SftTrainer(recipe(tmp.resolve("a"), settings), traces, false, s -> { })) {
            assertThat(a.steps()).isGreaterThanOrEqualTo(4);
            a.train(s -> { });
            a.policy().parameters().forEach((n, p) -> uninterrupted.put(n, p.toFloatArray()));
        }
        Recipe rb = recipe(tmp.resolve("b"), settings);
        try (SftTrainer b = new SftTrainer(rb, traces, false, s -> { })) {
            assertThatThrownBy(() -> b.train(s -> {
                if (s.startsWith("sft step 3/")) {
                    throw new IllegalStateException("killed");
                }
            })).hasMessage("killed");
        }
        try (SftTrainer b = new SftTrainer(rb, traces, true, s -> { })) {
            assertThat(b.step()).isEqualTo(2);
            b.train(s -> { });
            b.policy().parameters().forEach((n, p) ->
                    assertThat(p.toFloatArray()).as(n).isEqualTo(uninterrupted.get(n)));
        }
        assertThat(Files.readAllLines(tmp.resolve("b/metrics.jsonl")).stream()
                .map(l -> l.replaceAll("\"time/train_s\":[^,}]*", "")).toList())
                .isEqualTo(Files.readAllLines(tmp.resolve("a/metrics.jsonl")).stream()
                        .map(l -> l.replaceAll("\"time/train_s\":[^,}]*", "")).toList());
    }
}
