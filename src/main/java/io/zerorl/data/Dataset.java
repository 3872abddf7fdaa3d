package io.zerorl.data;

import java.util.List;

/** A descriptor with its rows loaded (filtered), ready to become problems and prompts. */
public record Dataset(DatasetDescriptor descriptor, List<DatasetRow> rows) {
    public Dataset {
        rows = List.copyOf(rows);
    }

    public List<Problem> problems() {
        return rows.stream().map(r -> new Problem(descriptor.id(r), descriptor.question(r), descriptor.goldAnswer(r),
                descriptor.answerKind(), r)).toList();
    }

    /** Prompts in row order, through the named template ({@code chat} needs {@code chat}, others ignore it). */
    public List<String> prompts(String template, PromptTemplate.ChatFormatter chat) {
        PromptTemplate t = PromptTemplates.get(template, chat);
        return rows.stream().map(r -> t.render(descriptor.question(r))).toList();
    }
}
