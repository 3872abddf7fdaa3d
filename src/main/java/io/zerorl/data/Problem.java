package io.zerorl.data;

/** One benchmark problem: its id, question text (before templating), gold answer, how to check it, and the row. */
public record Problem(String id, String question, String answer, AnswerKind kind, DatasetRow row) {}
