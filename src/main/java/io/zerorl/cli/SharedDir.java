package io.zerorl.cli;

import io.zerorl.util.ZerorlException;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code shared} folder that sits beside a zerorl checkout (tiny fixtures, benchmark files): the
 * {@code zerorl.shared} system property or {@code $ZERORL_SHARED} when set, else {@code ../shared} next to the project
 * the running code was built in, else {@code ../shared} from the working directory.
 */
final class SharedDir {
    private SharedDir() {}

    /** The tiny Hugging Face fixtures ({@code <shared>/fixtures/hf-tiny}). */
    static Path fixtures() {
        Path dir = locate().resolve("fixtures").resolve("hf-tiny");
        if (!Files.isDirectory(dir)) {
            throw new ZerorlException("the tiny fixtures are not in " + dir + ": pass --fixtures DIR, or set ZERORL_SHARED"
                    + " to the folder that holds fixtures/hf-tiny");
        }
        return dir;
    }

    static Path locate() {
        List<Path> tried = candidates();
        for (Path p : tried) {
            if (Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return tried.get(0).toAbsolutePath().normalize();
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String prop = System.getProperty("zerorl.shared");
        String env = System.getenv("ZERORL_SHARED");
        if (prop != null && !prop.isBlank()) {
            out.add(Path.of(prop));
        }
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        Path project = projectRoot();
        if (project != null) {
            out.add(project.resolveSibling("shared"));
        }
        out.add(Path.of("..", "shared"));
        return out;
    }

    /** The checkout the code runs from: the folder holding {@code target/} (classes or the jar). */
    private static Path projectRoot() {
        try {
            Path code = Path.of(SharedDir.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (p.getFileName() != null && p.getFileName().toString().equals("target")) {
                    return p.getParent();
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
        return null;
    }
}
