package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;

import java.util.Locale;

/**
 * {@code language_consistency}: DeepSeek-R1's language-consistency reward, "the proportion of target language
 * words in the CoT". Words are split on whitespace and classified by Unicode script (a CJK ideograph counts as
 * one word); words with no letters (numbers, LaTeX symbols) are ignored. Options: {@code script} (a
 * {@link Character.UnicodeScript} name, default {@code LATIN}; {@code HAN} for Chinese), {@code section}
 * ({@code think}: only inside {@code <think>} when present (default); {@code all}). No words: 1.
 */
public final class LanguageConsistencyReward extends RewardFunction.PerItem {
    private final Character.UnicodeScript script;
    private final boolean thinkOnly;

    public LanguageConsistencyReward(String name, RewardOptions o) {
        super(name);
        String s = o.getString("script", "LATIN");
        try {
            this.script = Character.UnicodeScript.forName(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ZerorlException("Reward '" + name + "': unknown script '" + s + "' (use a Unicode script name such as LATIN, HAN, CYRILLIC)");
        }
        this.thinkOnly = o.getChoice("section", "think", java.util.List.of("think", "all")).equals("think");
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        String text = in.completion();
        if (thinkOnly) {
            int a = text.indexOf("<think>");
            int b = text.indexOf("</think>");
            if (b >= 0) {
                text = text.substring(a >= 0 && a < b ? a + 7 : 0, b);
            }
        }
        int target = 0;
        int total = 0;
        for (String w : text.split("\\s+")) {
            int[] counts = new int[2];
            w.codePoints().filter(Character::isLetter).forEach(cp -> {
                Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
                if (sc == Character.UnicodeScript.HAN || sc == Character.UnicodeScript.HIRAGANA
                        || sc == Character.UnicodeScript.KATAKANA || sc == Character.UnicodeScript.HANGUL) {
                    // ideographic text has no spaces: each character is a word
                    counts[0]++;
                    if (sc == script) {
                        counts[1]++;
                    }
                }
            });
            if (counts[0] > 0) {
                total += counts[0];
                target += counts[1];
                continue;
            }
            int first = w.codePoints().filter(Character::isLetter).findFirst().orElse(-1);
            if (first < 0) {
                continue;
            }
            total++;
            if (Character.UnicodeScript.of(first) == script) {
                target++;
            }
        }
        return total == 0 ? Score.of(1.0, "words", 0) : Score.of(target / (double) total, "words", total, "target_words", target);
    }
}
