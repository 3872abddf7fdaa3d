package io.zerorl.checkpoint.bench;

import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.checkpoint.WriteOptions;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows that loading keeps weights off the Java heap: writes a ~1 GB BF16 sharded checkpoint, then reads
 * every tensor with {@code readFloat32} one at a time, summing it, and prints time, throughput, peak heap
 * and peak RSS. Run through {@code scripts/bench-load.sh}, which uses a small heap and runs the two phases
 * in separate JVMs so the peak RSS belongs to loading alone.
 *
 * <p>Usage: {@code LoadBenchmark generate <dir>} | {@code LoadBenchmark load <dir>}.
 */
public final class LoadBenchmark {
    private static final int EMBED_ROWS = 32768;
    private static final int HIDDEN = 1024;
    private static final int LAYERS = 14;

    private LoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("generate") || args[0].equals("load"))) {
            System.err.println("usage: LoadBenchmark generate|load <dir>");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("generate")) {
            generate(dir);
        } else {
            load(dir);
        }
    }

    /** 2 x 32M-element embeddings + 56 x 8M-element matrices = 512M elements, 1.07 GB as BF16, ~5 shards. */
    private static void generate(Path dir) throws Exception {
        List<TensorEntry> entries = new ArrayList<>();
        entries.add(synthetic("model.embed_tokens.weight", EMBED_ROWS, HIDDEN));
        for (int l = 0; l < LAYERS; l++) {
            for (String m : new String[]{"gate_proj", "up_proj", "down_proj", "o_proj"}) {
                entries.add(synthetic("model.layers." + l + ".mlp." + m + ".weight", 4 * HIDDEN, 2 * HIDDEN));
            }
        }
        entries.add(synthetic("lm_head.weight", EMBED_ROWS, HIDDEN));
        long t0 = System.nanoTime();
        SafetensorsWriter.Result r = SafetensorsWriter.write(dir, "model", entries,
                WriteOptions.defaults().withFloatDtype(DType.BF16).withMaxShardBytes(256L << 20));
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("generate: %d tensors, %.3f GB BF16 in %d shards, %.1f s (%.2f GB/s incl. fsync)%n",
                entries.size(), r.totalSize() / 1e9, r.files().size(), s, r.totalSize() / 1e9 / s);
        printMemory("generate");
    }

    /** float32 data made on the fly in one reused 4 MiB buffer, so generation holds no tensor either. */
    private static TensorEntry synthetic(String name, int rows, int cols) {
        long numel = (long) rows * cols;
        long seed = name.hashCode();
        return TensorEntry.float32(name, new long[]{rows, cols}, sink -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer f = chunk.asFloatBuffer();
            for (long i = 0; i < numel; ) {
                int k = (int) Math.min(f.capacity(), numel - i);
                for (int j = 0; j < k; j++) {
                    long x = (seed + i + j) * 0x9E3779B97F4A7C15L; // cheap hash -> uniform in [-0.5, 0.5)
                    f.put(j, (x >>> 40) * 0x1p-24f - 0.5f);
                }
                chunk.clear().limit(4 * k);
                sink.accept(chunk);
                i += k;
            }
        });
    }

    private static void load(Path dir) throws Exception {
        long heapPeak = 0;
        long directPeak = 0;
        double checksum = 0;
        long sourceBytes = 0;
        long floatBytes = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        long t0 = System.nanoTime();
        long readNanos = 0;
        int count;
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            count = ckpt.names().size();
            for (String name : ckpt.names()) {
                long r0 = System.nanoTime();
                ByteBuffer b = ckpt.readFloat32(name);
                readNanos += System.nanoTime() - r0;
                checksum += sum(b);
                sourceBytes += ckpt.info(name).byteLength();
                floatBytes += b.capacity();
                heapPeak = Math.max(heapPeak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                directPeak = Math.max(directPeak, directUsed());
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("load: %d tensors, %.3f GB BF16 read -> %.3f GB float32 in %.2f s: %.2f GB/s read,"
                        + " %.2f GB/s float32 produced (page cache warm; checksum %.3f)%n",
                count, sourceBytes / 1e9, floatBytes / 1e9, s, sourceBytes / 1e9 / s, floatBytes / 1e9 / s, checksum);
        System.out.printf("load: %.2f s of it in readFloat32 (map + convert + allocate), the rest summing%n",
                readNanos / 1e9);
        reuse(dir);
        System.out.printf("load: heap used peak (sampled after each tensor) %.1f MB; direct buffers peak %.1f MB%n",
                heapPeak / 1e6, directPeak / 1e6);
        printMemory("load");
    }

    /** The allocation-free path: every tensor converted into one reused buffer sized for the largest. */
    private static void reuse(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            long max = ckpt.names().stream().mapToLong(n -> ckpt.info(n).numel()).max().orElse(0);
            ByteBuffer dst = ByteBuffer.allocateDirect((int) (4 * max)).order(ByteOrder.LITTLE_ENDIAN);
            long bytes = 0;
            double checksum = 0;
            long t0 = System.nanoTime();
            for (String name : ckpt.names()) {
                dst.clear().limit((int) (4 * ckpt.info(name).numel()));
                ckpt.readFloat32(name, 0, dst);
                checksum += sum(dst.flip());
                bytes += ckpt.info(name).byteLength();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("load (reused destination, readFloat32(name, 0, dst)): %.2f s, %.2f GB/s read"
                    + " (checksum %.3f)%n", s, bytes / 1e9 / s, checksum);
        }
    }

    private static double sum(ByteBuffer b) {
        FloatBuffer f = b.asFloatBuffer();
        double sum = 0;
        for (int i = 0, n = f.limit(); i < n; i++) {
            sum += f.get(i);
        }
        return sum;
    }

    private static long directUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return -1;
    }

    private static void printMemory(String phase) throws Exception {
        long poolPeaks = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                poolPeaks += p.getPeakUsage().getUsed();
            }
        }
        String hwm = "?";
        String rss = "?";
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                hwm = line.substring(6).trim();
            } else if (line.startsWith("VmRSS:")) {
                rss = line.substring(6).trim();
            }
        }
        System.out.printf("%s: -Xmx %d MB; heap peak (sum of pool peaks, an upper bound) %.1f MB;"
                        + " peak RSS (VmHWM) %s; RSS now %s%n", phase, Runtime.getRuntime().maxMemory() >> 20,
                poolPeaks / 1e6, hwm, rss);
    }
}
