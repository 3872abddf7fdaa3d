package io.zerorl.data.synth;

import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetRow;
import io.zerorl.data.Problem;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class SumTaskTest {
    private static final Pattern TASK_QUESTION = Pattern.compile("^Question: what is (\\d+(?: plus \\d+){2,})\\?\n");

    private final SumTask task = SumTask.defaults();

    @Test
    void problemsReadAsWordsWithIntegerAnswers() {
        SumTask.Problem p = new SumTask.Problem(new int[] {4, 7, 2});
        assertThat(p.question()).isEqualTo("what is 4 plus 7 plus 2?");
        assertThat(p.answer()).isEqualTo(13);
        assertThat(p.steps()).isEqualTo("4+7=11, 11+2=13");
        assertThat(PretrainCorpus.chain(p)).isEqualTo("4+7+2 = 11+2 = 13\n");
        assertThat(PretrainCorpus.sentence(p)).isEqualTo("4 plus 7 plus 2 is 13.\n");
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
    void trainAndHeldOutAreDisjointAndTheCorpusShowsOnlyTrainSums() {
        List<SumTask.Problem> heldOut = task.problems(SumTask.Split.HELD_OUT, 200, 1);
        List<SumTask.Problem> train = task.problems(SumTask.Split.TRAIN, 1100, 1);
        assertThat(new HashSet<>(heldOut)).doesNotContainAnyElementsOf(train);
        assertThat(heldOut).allMatch(p -> task.split(p) == SumTask.Split.HELD_OUT);
        // held-out share is near the configured 10%
        SplittableRandom rng = new SplittableRandom(5);
        int held = 0;
        for (int i = 0; i < 10000; i++) {
            int[] ops = {1 + rng.nextInt(6), 1 + rng.nextInt(6), 1 + rng.nextInt(6)};
            held += task.split(new SumTask.Problem(ops)) == SumTask.Split.HELD_OUT ? 1 : 0;
        }
        assertThat(held).isBetween(1250, 1750);

        Set<String> heldOutExpr = new HashSet<>();
        heldOut.forEach(p -> heldOutExpr.add(p.expression()));
        PretrainCorpus corpus = new PretrainCorpus(task, PretrainCorpus.Mix.defaults());
        Pattern chain = Pattern.compile("^(\\d+(?:\\+\\d+){2,}) = ");
        Pattern sentence = Pattern.compile("^(\\d+(?: plus \\d+)+) is ");
        int sums = 0;
        int tagged = 0;
        for (String doc : corpus.documents(5000, 2)) {
            Matcher c = chain.matcher(doc);
            Matcher s = sentence.matcher(doc);
            String expr = c.find() ? c.group(1) : s.find() ? s.group(1).replace(" plus ", "+") : null;
            if (expr != null) {
                sums++;
                assertThat(task.split(new SumTask.Problem(parse(expr)))).as(doc).isEqualTo(SumTask.Split.TRAIN);
            }
            // task questions in the answer layout are train problems too
            Matcher tq = TASK_QUESTION.matcher(doc);
            if (tq.find()) {
                tagged++;
                assertThat(task.split(new SumTask.Problem(parse(tq.group(1).replace(" plus ", "+")))))
                        .as(doc).isEqualTo(SumTask.Split.TRAIN);
            }
        }
        assertThat(sums).isGreaterThan(800);
        assertThat(tagged).isGreaterThan(100);
    }

    @Test
    void datasetRowsCarryQuestionAndAnswer() {
        Dataset d = task.dataset(SumTask.Split.HELD_OUT, 20, 7);
        assertThat(d.rows()).hasSize(20);
        Problem p = d.problems().get(0);
        assertThat(p.question()).startsWith("what is ").endsWith("?");
        assertThat(Integer.parseInt(p.answer())).isPositive();
        assertThat(p.id()).startsWith("sums/");
        assertThat(d.prompts("plain", null).get(0)).isEqualTo(p.question());
    }

    private static int[] parse(String expr) {
        String[] parts = expr.split("\\+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }
}
