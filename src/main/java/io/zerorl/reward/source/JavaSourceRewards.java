package io.zerorl.reward.source;

import io.zerorl.util.CacheRoot;
import io.zerorl.util.Files2;
import io.zerorl.util.ZerorlException;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A reward written as one Java source file ({@code rewards: [{name: rewards/MyReward.java}]}): compiled in-process
 * with the JDK's compiler API ({@code javax.tools}) against zerorl's classes and the JVM's class path, and loaded
 * from a cache keyed by the content hash. The file's top-level class named like the file is the reward; the
 * registry instantiates it as it does a class name (a {@code RewardFunction}, {@code RewardFactory} or
 * {@code RewardProvider}).
 *
 * <p>Cache: {@code <zerorl cache>/rewards/<Name>-<16 hex>/} ({@code $ZERORL_CACHE} or {@code -Dzerorl.cache}, else
 * {@code ~/.cache/zerorl}, as for pretrained models). The hash covers the file name, its text, the Java version and
 * the bytes of the reward contract's classes, so an edit, another JDK or a changed contract compiles again. A
 * folder appears under its final name only complete (compiled beside it, then renamed), so two processes compiling
 * the same file at once both end up with a whole copy.
 */
public final class JavaSourceRewards {
    /** Compiled folders' marker: holds the binary name of the reward class. */
    static final String MARKER = "reward-class.txt";
    private static final int MAX_ERRORS = 20;
    private static final Map<Path, Class<?>> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger COMPILATIONS = new AtomicInteger();

    private JavaSourceRewards() {}

    /** Whether a reward name is a Java source file path rather than a registered name or class name. */
    public static boolean isSourceFile(String name) {
        return name != null && name.endsWith(".java") && name.length() > ".java".length();
    }

    /** The reward class of {@code file}, compiled (or taken from the default cache) and loaded under {@code parent}. */
    public static Class<?> load(Path file, Class<?>[] contract, ClassLoader parent) {
        return load(file, defaultCacheRoot(), contract, parent, ToolProvider.getSystemJavaCompiler());
    }

    static Class<?> load(Path file, Path cacheRoot, Class<?>[] contract, ClassLoader parent, JavaCompiler compiler) {
        String source = readSource(file);
        String stem = file.getFileName().toString().replaceFirst("\\.java$", "");
        Path dir = cacheRoot.resolve("rewards").resolve(stem + "-" + hash(file, source, contract)).toAbsolutePath();
        synchronized (LOADED) {
            Class<?> known = LOADED.get(dir);
            if (known != null) {
                return known;
            }
            if (!Files.isRegularFile(dir.resolve(MARKER))) {
                compileInto(dir, file, stem, contract, compiler);
            }
            Class<?> c = loadFrom(dir, file, parent);
            LOADED.put(dir, c);
            return c;
        }
    }

    /** Forgets the classes loaded in this JVM, as a new JVM would (tests of the on-disk cache). */
    static void forgetLoaded() {
        LOADED.clear();
    }

    /** How many compilations ran in this JVM (tests check that the cache is used). */
    static int compilations() {
        return COMPILATIONS.get();
    }

    /** The cache root ({@link CacheRoot}), shared with the pretrained base models. */
    public static Path defaultCacheRoot() {
        return CacheRoot.get();
    }

    private static String readSource(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ZerorlException("Reward '" + file + "': no such Java source file (relative paths start at "
                    + Path.of("").toAbsolutePath() + ")");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ZerorlException("Reward '" + file + "': cannot read it as UTF-8 text: " + e.getMessage(), e);
        }
    }

    private static void compileInto(Path dir, Path file, String stem, Class<?>[] contract, JavaCompiler compiler) {
        if (compiler == null) {
            throw new ZerorlException("Reward '" + file + "': compiling a Java source file needs a JDK, but this Java ("
                    + System.getProperty("java.home") + ") has no compiler (javax.tools): it is a JRE. Run zerorl with a"
                    + " JDK 17+, or compile the reward into a jar on the classpath and name its class instead.");
        }
        Path tmp;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), "." + stem + "-");
        } catch (IOException e) {
            throw new ZerorlException("Reward '" + file + "': cannot create the compile cache under " + dir.getParent()
                    + " (set ZERORL_CACHE to a writable folder): " + e.getMessage(), e);
        }
        try {
            COMPILATIONS.incrementAndGet();
            runCompiler(compiler, file, tmp, contract);
            String main = mainClass(tmp, file, stem);
            Files.writeString(tmp.resolve(MARKER), main);
            publish(tmp, dir);
        } catch (IOException e) {
            throw new ZerorlException("Reward '" + file + "': cannot write the compiled classes to " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    private static void runCompiler(JavaCompiler compiler, Path file, Path out, Class<?>[] contract) throws IOException {
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", out.toString(), "-classpath", classPath(contract),
                    "-encoding", "UTF-8", "-proc:none", "-implicit:none", "-g", "-Xlint:none");
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjects(file.toFile());
            Boolean ok = compiler.getTask(null, fm, diags, options, null, units).call();
            if (!Boolean.TRUE.equals(ok)) {
                throw new ZerorlException(compileErrors(file, diags.getDiagnostics()));
            }
        }
    }

    /** "Reward 'x.java' does not compile (N errors):" then {@code file:line:column: message} per error. */
    static String compileErrors(Path file, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        List<String> lines = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
            if (d.getKind() == Diagnostic.Kind.ERROR && lines.size() < MAX_ERRORS) {
                String where = d.getSource() == null ? String.valueOf(file) : file + ":" + d.getLineNumber() + ":"
                        + d.getColumnNumber();
                lines.add("  " + where + ": " + d.getMessage(Locale.ROOT).replace("\n", "\n    "));
            }
        }
        long errors = diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).count();
        return "Reward '" + file + "' does not compile (" + errors + (errors == 1 ? " error" : " errors") + "):\n"
                + String.join("\n", lines);
    }

    /** zerorl's own classes (where the contract was loaded from) and this JVM's class path. */
    private static String classPath(Class<?>[] contract) {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : contract) {
            var src = c.getProtectionDomain().getCodeSource();
            try {
                if (src != null && src.getLocation() != null) {
                    entries.add(Path.of(src.getLocation().toURI()).toString());
                }
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                // not a file location (a custom loader): the JVM's class path below must do
            }
        }
        for (String e : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** The binary name of the top-level class named like the file. */
    private static String mainClass(Path out, Path file, String stem) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            List<Path> hits = s.filter(p -> p.getFileName().toString().equals(stem + ".class")).toList();
            if (hits.isEmpty()) {
                throw new ZerorlException("Reward '" + file + "' compiles but declares no top-level class " + stem
                        + ": the reward class must be named like the file");
            }
            String rel = out.relativize(hits.get(0)).toString();
            return rel.substring(0, rel.length() - ".class".length()).replace(java.io.File.separatorChar, '.');
        }
    }

    private static void publish(Path tmp, Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(MARKER))) {
            return; // another process finished first; its copy is as good as ours
        }
        deleteTree(dir); // an incomplete folder (no marker) from an interrupted run
        try {
            Files2.moveAtomically(tmp, dir);
        } catch (IOException e) {
            if (!Files.isRegularFile(dir.resolve(MARKER))) {
                throw e;
            }
        }
    }

    private static Class<?> loadFrom(Path dir, Path file, ClassLoader parent) {
        try {
            String main = Files.readString(dir.resolve(MARKER)).trim();
            URLClassLoader loader = new URLClassLoader("reward " + file, new URL[] {dir.toUri().toURL()}, parent);
            return Class.forName(main, true, loader); // the loader lives as long as the class: never closed
        } catch (IOException | ClassNotFoundException | LinkageError e) {
            throw new ZerorlException("Reward '" + file + "': the compiled classes in " + dir + " do not load (" + e
                    + "); delete that folder to compile again", e);
        }
    }

    private static String hash(Path file, String source, Class<?>[] contract) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((file.getFileName() + "\0" + source + "\0" + System.getProperty("java.specification.version")
                    + "\0").getBytes(StandardCharsets.UTF_8));
            for (Class<?> c : contract) {
                md.update(classBytes(c));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] classBytes(Class<?> c) {
        String res = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(res)) {
            return in == null ? c.getName().getBytes(StandardCharsets.UTF_8) : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            // a leftover temporary folder is harmless: it never carries the final name
        }
    }
}
