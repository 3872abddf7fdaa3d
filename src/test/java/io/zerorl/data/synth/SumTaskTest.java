package io.zerorl.data.synth;

import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetRow;
import io.zerorl.data.Problem;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class SumTaskTest {
    /** A task question in a chat turn: "Question: what is 4+7+2?". */
    private static final Pattern TASK_QUESTION = Pattern.compile("Question: what is (\\d+(?:\\+\\d+)+)\\?\n");
    private static final Pattern SUM = Pattern.compile("\\d+(?:\\+\\d+)+");

    private final SumTask task = SumTask.defaults();

    @Test
    void problemsReadAsSumsWithIntegerAnswers() {
        SumTask.Problem p = new SumTask.Problem(new int[] {4, 7, 2});
        assertThat(p.question()).isEqualTo("what is 4+7+2?");
        assertThat(p.answer()).isEqualTo(13);
        assertThat(PretrainCorpus.chain(p)).isEqualTo("4+7+2 = 11+2 = 13\n");
        assertThat(PretrainCorpus.worked(p, true)).isEqualTo("Question: what is 4+7+2?\n4+7+2 = 11+2 = 13. the answer is 13.");
        assertThat(PretrainCorpus.worked(p, false)).isEqualTo("Question: what is 4+7+2?\nthe answer is 13.");
        assertThat(PretrainCorpus.instructedTurn(p.question()))
                .isEqualTo("Use <think> and <answer>.\nQuestion: what is 4+7+2?\n");
    }

    @Test
    void sameSeedSameRowsAndDocuments() {
        assertThat(task.rows(SumTask.Split.TRAIN, 50, 3).stream().map(DatasetRow::fields).toList())
                .isEqualTo(task.rows(SumTask.Split.TRAIN, 50, 3).stream().map(DatasetRow::fields).toList());
        assertThat(task.problems(SumTask.Split.TRAIN, 50, 3)).isNotEqualTo(task.problems(SumTask.Split.TRAIN, 50, 4));
        PretrainCorpus corpus = new PretrainCorpus(task, PretrainCorpus.Mix.defaults());
        assertThat(corpus.documents(200, 9)).isEqualTo(corpus.documents(200, 9)).isNotEqualTo(corpus.documents(200, 10));
    }

    @Test
    void trainAndHeldOutAreDisjoint() {
        List<SumTask.Problem> heldOut = task.problems(SumTask.Split.HELD_OUT, 200, 1);
        List<SumTask.Problem> train = task.problems(SumTask.Split.TRAIN, 1100, 1);
        assertThat(new HashSet<>(heldOut)).doesNotContainAnyElementsOf(train);
        assertThat(heldOut).allMatch(task::isHeldOut);
        assertThat(train).noneMatch(task::isHeldOut);
        // held-out share is near the configured 15%
        SplittableRandom rng = new SplittableRandom(5);
        int held = 0;
        for (int i = 0; i < 10000; i++) {
            int[] ops = {1 + rng.nextInt(6), 1 + rng.nextInt(6), 1 + rng.nextInt(6)};
            held += task.split(new SumTask.Problem(ops)) == SumTask.Split.HELD_OUT ? 1 : 0;
        }
        assertThat(held).isBetween(1250, 1750);
        // sums of other shapes are never held-out task problems, whatever their hash
        assertThat(task.isHeldOut(new SumTask.Problem(new int[] {1, 2}))).isFalse();
        assertThat(task.isHeldOut(new SumTask.Problem(new int[] {1, 2, 9}))).isFalse();
    }

    /**
     * The R1-Zero condition on the pretraining text: a task question is never answered in the answer tags, the
     * tags only ever follow the instruction, and no held-out problem is ever stated (a chain may pass through a
     * held-out sum as a step: every 4-term sum reduces to a 3-term one).
     */
    @Test
    void theCorpusNeverTagsATaskQuestionNorShowsAHeldOutSum() {
        PretrainCorpus corpus = new PretrainCorpus(task, PretrainCorpus.Mix.defaults());
        int taskQuestions = 0;
        int tagged = 0;
        int sums = 0;
        for (String doc : corpus.documents(5000, 2)) {
            String head = PretrainCorpus.INSTRUCTION + "\n";
            boolean instructed = doc.startsWith(head);
            String body = instructed ? doc.substring(head.length()) : doc;
            if (TASK_QUESTION.matcher(doc).find()) {
                taskQuestions++;
                assertThat(instructed).as(doc).isFalse();
            }
            if (instructed) {
                tagged++;
                assertThat(body).as(doc).startsWith("Question: ").endsWith("</answer>")
                        .containsOnlyOnce("<think>").containsOnlyOnce("</think><answer>");
            } else {
                assertThat(doc).as(doc).doesNotContain("<think>", "</think>", "<answer>", "</answer>");
            }
            Matcher s = SUM.matcher(doc);
            while (s.find()) {
                if (doc.startsWith("= ", Math.max(0, s.start() - 2))) {
                    continue; // a step of a chain ("4+1+1+5 = 5+1+5 = ..."), not a problem
                }
                String[] parts = s.group().split("\\+");
                int[] ops = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    ops[i] = Integer.parseInt(parts[i]);
                }
                sums++;
                assertThat(task.isHeldOut(new SumTask.Problem(ops))).as(doc).isFalse();
            }
        }
        assertThat(taskQuestions).isGreaterThan(800);
        assertThat(tagged).isGreaterThan(1000);
        assertThat(sums).isGreaterThan(3000);
    }

    @Test
    void datasetRowsCarryQuestionAndAnswer() {
        Dataset d = task.dataset(SumTask.Split.HELD_OUT, 20, 7);
        assertThat(d.rows()).hasSize(20);
        Problem p = d.problems().get(0);
        assertThat(p.question()).matches("what is \\d(\\+\\d){2,3}\\?");
        assertThat(Integer.parseInt(p.answer())).isPositive();
        assertThat(p.id()).startsWith("sums/");
        assertThat(d.prompts("plain", null).get(0)).isEqualTo(p.question());
    }
}
