package io.zerorl.reward;

import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-reward options from a recipe ({@code rewards: [{name: math_accuracy, weight: 1, timeout_ms: 500}]})
 * or the CLI. Typed getters check the value and record the key as known; after the factory ran,
 * {@link #rejectUnknown()} fails on any key that no getter asked for, naming the valid keys.
 */
public final class RewardOptions {
    private final String reward;
    private final Map<String, Object> values;
    private final Set<String> known = new LinkedHashSet<>();

    public RewardOptions(String reward, Map<String, ?> values) {
        this.reward = reward;
        this.values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static RewardOptions empty(String reward) {
        return new RewardOptions(reward, Map.of());
    }

    public String reward() {
        return reward;
    }

    public Map<String, Object> values() {
        return values;
    }

    private Object raw(String key) {
        known.add(key);
        return values.get(key);
    }

    private ZerorlException bad(String key, Object v, String expected) {
        return new ZerorlException("Reward '" + reward + "': option '" + key + "' must be " + expected
                + ", got " + (v instanceof String ? "'" + v + "'" : String.valueOf(v)));
    }

    public double getDouble(String key, double dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        throw bad(key, v, "a number");
    }

    /** A number in [min, max]. */
    public double getDouble(String key, double dflt, double min, double max) {
        double d = getDouble(key, dflt);
        if (d < min || d > max) {
            throw bad(key, d, "in [" + min + ", " + max + "]");
        }
        return d;
    }

    public int getInt(String key, int dflt, int min, int max) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        long l;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            l = n.longValue();
        } else if (v instanceof String s && s.trim().matches("-?\\d+")) {
            l = Long.parseLong(s.trim());
        } else {
            throw bad(key, v, "an integer");
        }
        if (l < min || l > max) {
            throw bad(key, v, "an integer in [" + min + ", " + max + "]");
        }
        return (int) l;
    }

    public boolean getBoolean(String key, boolean dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw bad(key, v, "true or false");
    }

    public String getString(String key, String dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        throw bad(key, v, "a string");
    }

    /**
     * A list of strings: a YAML/JSON list (numbers are written as text), or one string split at whitespace
     * ({@code "python3 my_reward.py"}; no shell quoting). {@code null} when absent.
     */
    public List<String> getStringList(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String || x instanceof Number)) {
            return l.stream().map(String::valueOf).toList();
        }
        throw bad(key, v, "a list of strings");
    }

    /** One of {@code allowed} (case-insensitive; returned in the spelling of {@code allowed}). */
    public String getChoice(String key, String dflt, List<String> allowed) {
        String s = getString(key, dflt);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new ZerorlException("Reward '" + reward + "': option '" + key + "' must be one of " + allowed
                + ", got '" + s + "'" + Names.suggest(s, allowed));
    }

    /** Throws if an option was given that no getter read (a typo, or an option of another reward). */
    public void rejectUnknown() {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new ZerorlException("Reward '" + reward + "' has no option '" + k + "'" + Names.suggest(k, known)
                        + "; valid options: " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))));
            }
        }
    }

    /** Keys read so far (after creation: the options the reward understands). */
    public Set<String> knownKeys() {
        return Collections.unmodifiableSet(known);
    }

    @Override
    public String toString() {
        return reward + values.toString().toLowerCase(Locale.ROOT);
    }
}
