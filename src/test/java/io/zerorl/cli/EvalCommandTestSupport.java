package io.zerorl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A five-problem benchmark that exists only as a JSONL file and a descriptor YAML (short enough for tiny models). */
public final class EvalCommandTestSupport {
    private EvalCommandTestSupport() {}

    /** Writes {@code dir/data/toy/test.jsonl} and {@code dir/toy.yaml}; returns the YAML path. */
    public static Path toyBenchmark(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("data/toy"));
        Files.writeString(dir.resolve("data/toy/test.jsonl"), String.join("\n",
                "{\"q\": \"1 + 1 =\", \"a\": \"2\"}", "{\"q\": \"2 * 3 =\", \"a\": \"6\"}", "{\"q\": \"9 - 4 =\", \"a\": \"5\"}",
                "{\"q\": \"half of 8 =\", \"a\": \"4\"}", "{\"q\": \"7 + 0 =\", \"a\": 7}") + "\n");
        Path yaml = dir.resolve("toy.yaml");
        Files.writeString(yaml, "name: toy\ndescription: five sums\nfile: toy/test.jsonl\nurl: https://example.invalid/toy.jsonl\n"
                + "question_field: q\nanswer_field: a\nanswer_kind: math\ntemplate: plain\nrows: 5\n");
        return yaml;
    }

}
