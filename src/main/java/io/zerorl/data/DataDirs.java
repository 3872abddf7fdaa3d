package io.zerorl.data;

import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where benchmark files are looked for: an explicit {@code --data-dir} only, or else {@code ./datasets} then
 * {@code ~/.cache/zerorl/datasets}. New downloads go to the explicit dir, else the cache (keeping the
 * project's {@code datasets/} folder for descriptors and the files users choose to put there).
 */
public record DataDirs(List<Path> searchPath, Path downloadDir) {
    public static Path defaultCache() {
        return Path.of(System.getProperty("user.home"), ".cache", "zerorl", "datasets");
    }

    public static DataDirs resolve(Path explicit) {
        if (explicit != null) {
            return new DataDirs(List.of(explicit), explicit);
        }
        return new DataDirs(List.of(Path.of("datasets"), defaultCache()), defaultCache());
    }

    /** The first existing copy of {@code relativeFile}, if any. */
    public java.util.Optional<Path> find(String relativeFile) {
        return searchPath.stream().map(d -> d.resolve(relativeFile)).filter(Files::isRegularFile).findFirst();
    }

    /** The file of {@code d}, or an error saying exactly where to put it and how to get it. */
    public Path locate(DatasetDescriptor d) {
        return find(d.file()).orElseThrow(() -> new ZerorlException(missingMessage(d)));
    }

    public String missingMessage(DatasetDescriptor d) {
        return "Dataset file for '" + d.name() + "' not found (looked in "
                + searchPath.stream().map(p -> p.toAbsolutePath().normalize().toString()).collect(Collectors.joining(", "))
                + "). Place " + d.url() + " at " + downloadDir.resolve(d.file()).toAbsolutePath().normalize()
                + (d.url().endsWith(".gz") ? " (decompressed)" : "")
                + ", or run: zerorl datasets fetch " + d.name()
                + (searchPath.size() == 1 ? " --data-dir " + downloadDir : "");
    }
}
