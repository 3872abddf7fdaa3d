package io.zerorl;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find ../shared (fixtures and benchmark datasets); never copied into the project. */
public final class TestPaths {
    private TestPaths() {}

    public static Path shared() {
        String p = System.getProperty("zerorl.shared");
        Path dir = p != null ? Path.of(p) : Path.of("..", "shared");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("/work/shared");
        }
        return dir.toAbsolutePath().normalize();
    }

    public static Path fixtures() {
        return shared().resolve("fixtures/hf-tiny");
    }

    public static Path fixture(String name) {
        return fixtures().resolve(name);
    }

    public static Path datasets() {
        return shared().resolve("datasets");
    }
}
