package io.zerorl.util;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Implementations looked up by name (verl's {@code register_policy_loss}/{@code register_adv_est} style):
 * built-ins plus {@link #register}, which rejects duplicates; an unknown name throws and lists the valid ones.
 */
public final class Registry<T> {
    private final String kind;
    private final Map<String, T> entries = Collections.synchronizedMap(new LinkedHashMap<>());

    /** @param kind what the entries are, used in error messages (e.g. "loss type"). */
    public Registry(String kind) {
        this.kind = kind;
    }

    public Registry<T> register(String name, T impl) {
        if (name == null || name.isBlank() || impl == null) {
            throw new IllegalArgumentException(kind + ": name and implementation are required");
        }
        if (entries.putIfAbsent(name, impl) != null) {
            throw new ZerorlException(kind + " '" + name + "' is already registered");
        }
        return this;
    }

    public T get(String name) {
        T impl = entries.get(name);
        if (impl == null) {
            throw new ZerorlException("Unknown " + kind + " '" + name + "'; valid: " + String.join(", ", names()));
        }
        return impl;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** Names in registration order (built-ins first). */
    public Set<String> names() {
        synchronized (entries) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(entries.keySet()));
        }
    }
}
