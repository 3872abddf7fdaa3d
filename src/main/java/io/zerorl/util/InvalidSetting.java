package io.zerorl.util;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * A setting with a bad value, raised by the config record that owns the setting (validated where it is defined).
 * The message starts with the setting's snake_case key, as a recipe spells it ({@code beta2 must be in [0, 1), got
 * 1.0}); the recipe loader puts the section in front ({@code optim.beta2 ...}) with {@link #within}.
 */
public final class InvalidSetting extends ZerorlException {
    private final String key;
    private final String rest;

    private InvalidSetting(String key, String rest, Throwable cause) {
        super(key + rest, cause);
        this.key = key;
        this.rest = rest;
    }

    /** {@code problem} follows the key: "must be >= 1, got 0". */
    public InvalidSetting(String key, String problem) {
        this(key, " " + problem, null);
    }

    /** The key as given, e.g. {@code beta2}, or {@code optim.beta2} after {@link #within}. */
    public String key() {
        return key;
    }

    /** The same error with the key inside {@code section} ({@code optim} + {@code beta2} = {@code optim.beta2}). */
    public InvalidSetting within(String section) {
        return new InvalidSetting(section + "." + key, rest, this);
    }

    /** Throws unless {@code ok}: "{@code key problem}". */
    public static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new InvalidSetting(key, problem);
        }
    }

    /** Throws unless {@code value} is one of {@code valid}, listing them. */
    public static void oneOf(String key, String value, Collection<String> valid) {
        require(valid.contains(value), key, "must be one of " + String.join(", ", valid) + ", got '" + value + "'");
    }

    /**
     * Runs a check or lookup that fails with a {@link ZerorlException} (an unknown name in a registry, say) and
     * turns its failure into an error of {@code key}: "{@code key: message}".
     */
    public static <T> T check(String key, Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (InvalidSetting e) {
            throw e;
        } catch (ZerorlException e) {
            throw new InvalidSetting(key, ": " + e.getMessage(), e);
        }
    }
}
