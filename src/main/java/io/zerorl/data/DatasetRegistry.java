package io.zerorl.data;

import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Dataset descriptors by name. Built-ins are the YAML files of the project's {@code datasets/} folder, packaged
 * on the classpath under {@code io/zerorl/data/datasets/}; users add their own with {@link #loadDirectory}.
 */
public final class DatasetRegistry {
    /** The descriptors shipped in datasets/ (a jar cannot list a resource folder, so they are named here). */
    public static final List<String> BUILTIN = List.of("gsm8k", "math500", "aime24", "amc23", "humaneval", "mbpp",
            "mbpp_sanitized", "countdown");

    private final Map<String, DatasetDescriptor> byName = new TreeMap<>();

    public static DatasetRegistry builtin() {
        DatasetRegistry r = new DatasetRegistry();
        for (String name : BUILTIN) {
            String res = "/io/zerorl/data/datasets/" + name + ".yaml";
            try (InputStream in = DatasetRegistry.class.getResourceAsStream(res)) {
                if (in == null) {
                    throw new IllegalStateException("built-in descriptor missing from the classpath: " + res);
                }
                r.register(DatasetDescriptor.parse(in, "datasets/" + name + ".yaml"));
            } catch (IOException e) {
                throw new IllegalStateException(res, e);
            }
        }
        return r;
    }

    /** Adds every {@code *.yaml} in {@code dir}; a name already registered is an error. */
    public DatasetRegistry loadDirectory(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    register(DatasetDescriptor.parse(in, f.toString()));
                }
            }
        } catch (IOException e) {
            throw new ZerorlException("Cannot read descriptors in " + dir + ": " + e.getMessage(), e);
        }
        return this;
    }

    public void register(DatasetDescriptor d) {
        if (byName.putIfAbsent(d.name(), d) != null) {
            throw new ZerorlException("dataset '" + d.name() + "' is already registered");
        }
    }

    public DatasetDescriptor get(String name) {
        DatasetDescriptor d = byName.get(name);
        if (d == null) {
            throw new ZerorlException("unknown dataset '" + name + "'; did you mean '"
                    + Names.nearest(name, byName.keySet()) + "'? Known: " + String.join(", ", byName.keySet()));
        }
        return d;
    }

    /** Whether a dataset reference is a descriptor file ({@code path/to/name.yaml}) rather than a registered name. */
    public static boolean isDescriptorFile(String nameOrFile) {
        return nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml");
    }

    /** A registered name ({@link #get}), or a descriptor file {@code path/to/name.yaml} describing any JSONL. */
    public DatasetDescriptor resolve(String nameOrFile) {
        if (!isDescriptorFile(nameOrFile)) {
            return get(nameOrFile);
        }
        Path p = Path.of(nameOrFile);
        if (!Files.isRegularFile(p)) {
            throw new ZerorlException("dataset descriptor file not found: " + p.toAbsolutePath());
        }
        try (InputStream in = Files.newInputStream(p)) {
            return DatasetDescriptor.parse(in, p.toString());
        } catch (IOException e) {
            throw new ZerorlException("Cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    public Collection<DatasetDescriptor> all() {
        return byName.values();
    }

    /** Reads the descriptor's file from {@code dirs}, applies its filter and checks the expected row count. */
    public Dataset load(String name, DataDirs dirs) {
        return load(get(name), dirs);
    }

    public static Dataset load(DatasetDescriptor d, DataDirs dirs) {
        Path file = dirs.locate(d);
        List<DatasetRow> rows = new ArrayList<>();
        for (DatasetRow r : JsonlReader.read(file, d.file())) {
            if (d.filter() == null || d.filter().test(r)) {
                rows.add(r);
            }
        }
        if (d.rows() != null && rows.size() != d.rows()) {
            throw new ZerorlException(file + " gave " + rows.size() + " rows for '" + d.name() + "', expected "
                    + d.rows() + ": the file is incomplete or a different version; fetch it again");
        }
        return new Dataset(d, rows);
    }
}
