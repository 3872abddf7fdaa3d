package io.zerorl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of docs/ARCHITECTURE.md hold in the sources: every package has a row in its table, imports only
 * the packages its row allows (imports and fully qualified names in code both count; comments do not), and uses DJL
 * only where its row says so. The table is the single statement of the rules: this test reads it.
 */
class ImportRulesTest {
    private static final Path DOC = Path.of("docs/ARCHITECTURE.md");
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.zerorl\\.((?:[a-z][a-z0-9_]*\\.)*)[A-Z]");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    /** One row: which packages may be imported, and whether DJL may be used. */
    record Rule(Set<String> imports, boolean everything, boolean djl) {}

    @Test
    void everyPackageKeepsToItsRowInTheArchitectureTable() {
        Map<String, Rule> rules = readRules(DOC);
        assertThat(rules).containsKeys("util", "model", "model.*", "train", "eval", "cli");
        assertThat(violations(SOURCES, rules)).isEmpty();
    }

    /** The check itself can fail: a forbidden import, DJL in a DJL-free package and a package without a row. */
    @Test
    void aForbiddenImportIsReported(@TempDir Path tmp) throws IOException {
        write(tmp, "io/zerorl/train/Bad.java", """
                package io.zerorl.train;

                import io.zerorl.eval.Evaluator; // train may not import eval
                import io.zerorl.util.Seeds;

                /** Mentions {@link io.zerorl.cli.Main} in a comment only: allowed. */
                class Bad {
                    Object x = new io.zerorl.report.RunReport(); // a qualified name in code counts
                }
                """);
        write(tmp, "io/zerorl/reward/Djl.java", """
                package io.zerorl.reward;

                import ai.djl.ndarray.NDArray;

                class Djl {}
                """);
        write(tmp, "io/zerorl/model/qwen2/Family.java", """
                package io.zerorl.model.qwen2;

                import io.zerorl.model.qwen3.Other;

                class Family {}
                """);
        write(tmp, "io/zerorl/newpkg/X.java", "package io.zerorl.newpkg;\n\nclass X {}\n");
        List<String> v = violations(tmp, readRules(DOC));
        assertThat(v).hasSize(5);
        assertThat(v).anySatisfy(s -> assertThat(s).contains("Bad.java", "imports eval"));
        assertThat(v).anySatisfy(s -> assertThat(s).contains("Bad.java", "imports report"));
        assertThat(v).anySatisfy(s -> assertThat(s).contains("Djl.java", "uses DJL"));
        assertThat(v).anySatisfy(s -> assertThat(s).contains("Family.java", "imports model.qwen3"));
        assertThat(v).anySatisfy(s -> assertThat(s).contains("newpkg", "no row"));
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    /** The table under "Packages and who may import whom": package(s) | role | may import | DJL. */
    static Map<String, Rule> readRules(Path doc) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : readLines(doc)) {
            if (line.startsWith("## ")) {
                inTable = line.startsWith("## Packages");
                continue;
            }
            if (!inTable || !line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            if (cells.length < 6) {
                throw new IllegalStateException(doc + ": a package row needs 4 cells: " + line);
            }
            Set<String> imports = new TreeSet<>(backticked(cells[3]));
            Rule rule = new Rule(imports, cells[3].trim().equals("everything"), cells[4].trim().equals("yes"));
            for (String pkg : backticked(cells[1])) {
                rules.put(pkg, rule);
            }
        }
        return rules;
    }

    /** Every broken rule under {@code root}, as "file: what". */
    static List<String> violations(Path root, Map<String, Rule> rules) {
        List<String> out = new ArrayList<>();
        Path base = root.resolve("io/zerorl");
        try (Stream<Path> files = Files.walk(base)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String pkg = base.relativize(f.getParent()).toString().replace('/', '.');
                Rule rule = ruleOf(pkg, rules);
                String where = root.relativize(f).toString();
                if (rule == null) {
                    out.add(where + ": package " + pkg + " has no row in " + DOC);
                    continue;
                }
                check(where, pkg, code(f), rule, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void check(String where, String pkg, String code, Rule rule, List<String> out) {
        Set<String> seen = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            String dep = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1);
            if (dep.isEmpty() || dep.equals(pkg) || rule.everything() || rule.imports().contains(dep) || !seen.add(dep)) {
                continue;
            }
            out.add(where + ": " + pkg + " imports " + dep + ", which its row in " + DOC + " does not allow");
        }
        if (!rule.djl() && code.contains("ai.djl.")) {
            out.add(where + ": " + pkg + " uses DJL, which its row in " + DOC + " does not allow");
        }
    }

    private static Rule ruleOf(String pkg, Map<String, Rule> rules) {
        if (rules.containsKey(pkg)) {
            return rules.get(pkg);
        }
        int dot = pkg.lastIndexOf('.');
        return dot < 0 ? null : rules.get(pkg.substring(0, dot) + ".*");
    }

    /** The source without comments and string contents (a name in either is not a dependency). */
    static String code(Path f) {
        String s = String.join("\n", readLines(f));
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                i = end(s.indexOf('\n', i), s.length());
            } else if (s.startsWith("/*", i)) {
                i = end(s.indexOf("*/", i + 2), s.length() - 2) + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                i = end(s.indexOf("\"\"\"", i + 3), s.length() - 3) + 3;
                out.append("\"\"");
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char q = s.charAt(i++);
                while (i < s.length() && s.charAt(i) != q) {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(q).append(q);
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }

    private static int end(int found, int otherwise) {
        return found < 0 ? otherwise : found;
    }

    private static List<String> backticked(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
