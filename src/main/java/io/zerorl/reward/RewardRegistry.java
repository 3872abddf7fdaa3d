package io.zerorl.reward;

import io.zerorl.util.Names;
import io.zerorl.reward.code.CodeReward;
import io.zerorl.reward.external.ExternalProgramReward;
import io.zerorl.reward.external.HttpReward;
import io.zerorl.reward.math.CountdownReward;
import io.zerorl.reward.math.MathAccuracyReward;
import io.zerorl.reward.text.CosineLengthReward;
import io.zerorl.reward.text.FormatReward;
import io.zerorl.reward.text.LanguageConsistencyReward;
import io.zerorl.reward.text.ReasoningStepsReward;
import io.zerorl.reward.text.RepetitionPenaltyReward;
import io.zerorl.reward.text.SoftOverlongReward;
import io.zerorl.reward.source.JavaSourceRewards;
import io.zerorl.reward.text.TagCountReward;
import io.zerorl.util.ZerorlException;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rewards by name: the built-ins (including {@code external}, a program in any language, and {@code http}, an
 * endpoint), user rewards found through {@link ServiceLoader} ({@link RewardProvider}), for any name that is a
 * class name on the classpath, that class (a {@link RewardProvider}, a {@link RewardFactory}, or a
 * {@link RewardFunction} with a {@code (String, RewardOptions)}, {@code (RewardOptions)} or no-argument
 * constructor), and for a name ending in {@code .java}, that source file compiled at start-up
 * ({@link JavaSourceRewards}) and used like a class name. Registering a taken name fails; an unknown name fails
 * listing the valid ones.
 */
public final class RewardRegistry {
    /** A registered reward: its factory and a one-line description. */
    public record Entry(String name, String description, String origin, RewardFactory factory) {}

    /** The classes a Java source reward is compiled against; their bytes are part of its cache key. */
    private static final Class<?>[] CONTRACT = {RewardFunction.class, RewardInput.class, Score.class, RewardOptions.class,
        RewardProvider.class, RewardFactory.class};

    private final Map<String, Entry> entries = new TreeMap<>();
    private final ClassLoader loader;

    public RewardRegistry(ClassLoader loader) {
        this.loader = loader;
    }

    /** Built-ins only. */
    public static RewardRegistry builtins() {
        RewardRegistry r = new RewardRegistry(RewardRegistry.class.getClassLoader());
        r.addBuiltins();
        return r;
    }

    /** Built-ins plus every {@link RewardProvider} visible to the context class loader. */
    public static RewardRegistry standard() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return standard(cl != null ? cl : RewardRegistry.class.getClassLoader());
    }

    public static RewardRegistry standard(ClassLoader loader) {
        RewardRegistry r = new RewardRegistry(loader);
        r.addBuiltins();
        for (RewardProvider p : ServiceLoader.load(RewardProvider.class, loader)) {
            r.register(p);
        }
        return r;
    }

    private void addBuiltins() {
        register("math_accuracy", "1 if the final answer (boxed/<answer>/####/'the answer is') equals the gold answer (numeric + CAS)",
                MathAccuracyReward::new);
        register("format", "1 if the completion follows <think>...</think><answer>...</answer> (mode: strict|lenient)", FormatReward::new);
        register("tag_count", "0.25 per R1 template tag present exactly once", TagCountReward::new);
        register("reasoning_steps", "min(1, step markers / target)", ReasoningStepsReward::new);
        register("cosine_length", "cosine length scaling by math correctness (Yeo et al. 2025)", CosineLengthReward::new);
        register("repetition_penalty", "n-gram repetition penalty in [max_penalty, 0]", RepetitionPenaltyReward::new);
        register("language_consistency", "share of words in the target script (DeepSeek-R1)", LanguageConsistencyReward::new);
        register("soft_overlong", "DAPO soft overlong punishment in [-1, 0]", SoftOverlongReward::new);
        register("countdown", "1 if the <answer> equation uses each number once and hits the target", CountdownReward::new);
        register("code", "1 if the last code block passes the row's tests (HumanEval/MBPP) in the python sandbox", CodeReward::new);
        register("external", "your program in any language, kept running: JSON Lines over stdin/stdout (command: [...])",
                ExternalProgramReward::new);
        register("http", "your HTTP endpoint: POST a JSON batch, a JSON array of scores back (url: ...)", HttpReward::new);
        entries.replaceAll((k, e) -> new Entry(e.name(), e.description(), "builtin", e.factory()));
    }

    public synchronized void register(String name, String description, RewardFactory factory) {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_.-]*")) {
            throw new ZerorlException("Invalid reward name '" + name + "': use letters, digits, '_', '-', '.'");
        }
        Entry old = entries.get(name);
        if (old != null) {
            throw new ZerorlException("Reward '" + name + "' is already registered (" + old.origin() + "); pick another name");
        }
        entries.put(name, new Entry(name, description == null ? "" : description, "registered", factory));
    }

    public void register(RewardProvider p) {
        register(p.name(), p.description(), (n, o) -> p.create(o));
        entries.computeIfPresent(p.name(), (k, e) -> new Entry(k, e.description(), "service " + p.getClass().getName(), e.factory()));
    }

    public synchronized Set<String> names() {
        return Collections.unmodifiableSet(new TreeMap<>(entries).keySet());
    }

    public synchronized Map<String, Entry> entries() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public RewardFunction create(RewardSpec spec) {
        return create(spec.name(), spec.options());
    }

    /** Creates the named reward with its options; unknown options and names fail with the valid ones listed. */
    public RewardFunction create(String name, Map<String, ?> options) {
        Entry e;
        synchronized (this) {
            e = entries.get(name);
        }
        RewardOptions opts = new RewardOptions(name, options);
        RewardFunction f;
        if (e != null) {
            f = e.factory().create(name, opts);
        } else if (JavaSourceRewards.isSourceFile(name)) {
            Class<?> c = JavaSourceRewards.load(Path.of(name), CONTRACT, loader);
            f = instantiate(c, c.getName(), opts);
        } else if (name != null && name.contains(".") && Character.isJavaIdentifierStart(name.charAt(0))) {
            f = fromClass(name, opts);
        } else {
            throw new ZerorlException("Unknown reward '" + name + "'" + Names.suggest(String.valueOf(name), names())
                    + "; valid names: " + String.join(", ", names())
                    + " (or a class name on the classpath, a RewardProvider listed in META-INF/services, or a Java"
                    + " source file path/to/MyReward.java)");
        }
        try {
            opts.rejectUnknown();
        } catch (ZerorlException ex) {
            f.close(); // what it may hold (a process, a pool) is released before the error reaches the user
            throw ex;
        }
        return f;
    }

    private RewardFunction fromClass(String className, RewardOptions opts) {
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError ex) {
            throw new ZerorlException("Unknown reward '" + className + "': no built-in of that name and no such class on the classpath"
                    + "; valid names: " + String.join(", ", names()));
        }
        return instantiate(c, className, opts);
    }

    /** The reward of a user class: a provider, a factory, or a function with one of the supported constructors. */
    private static RewardFunction instantiate(Class<?> c, String name, RewardOptions opts) {
        String className = c.getName();
        try {
            if (RewardProvider.class.isAssignableFrom(c)) {
                return ((RewardProvider) c.getConstructor().newInstance()).create(opts);
            }
            if (RewardFactory.class.isAssignableFrom(c)) {
                return ((RewardFactory) c.getConstructor().newInstance()).create(name, opts);
            }
            if (RewardFunction.class.isAssignableFrom(c)) {
                for (Constructor<?> k : c.getConstructors()) {
                    Class<?>[] ps = k.getParameterTypes();
                    if (ps.length == 2 && ps[0] == String.class && ps[1] == RewardOptions.class) {
                        return (RewardFunction) k.newInstance(name, opts);
                    }
                    if (ps.length == 1 && ps[0] == RewardOptions.class) {
                        return (RewardFunction) k.newInstance(opts);
                    }
                }
                return (RewardFunction) c.getConstructor().newInstance();
            }
        } catch (InvocationTargetException ex) {
            if (ex.getCause() instanceof ZerorlException z) {
                throw z;
            }
            throw new ZerorlException("Reward class " + className + " failed to construct: " + ex.getCause(), ex.getCause());
        } catch (ReflectiveOperationException ex) {
            throw new ZerorlException("Reward class " + className + " needs to be public, with a public (String, RewardOptions),"
                    + " (RewardOptions) or no-argument constructor");
        }
        throw new ZerorlException("Class " + className + " is not a RewardFunction, RewardFactory or RewardProvider");
    }
}
