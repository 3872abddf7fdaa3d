package io.zerorl.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process memory for metrics: resident set size (Linux /proc, where native tensors show up) and Java heap. */
public final class Memory {
    private Memory() {}

    /** Resident set size in MiB, or -1 where /proc/self/status is not available. */
    public static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    public static double heapMb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }
}
