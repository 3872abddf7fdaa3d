package io.zerorl.tensor;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.util.Locale;
import java.util.Map;

/**
 * Sets glibc's allocator thresholds for tensor memory once per process, before the first model is loaded: arrays up
 * to 32 MiB come from the allocator's heaps, and memory freed there stays there for the next arrays.
 *
 * <p>libtorch allocates and frees every tensor through {@code malloc}. glibc starts by serving anything over 128 KiB
 * with a fresh {@code mmap} and returning free heap tops over 256 KiB to the kernel, raising both limits only after
 * an array of that size has been freed; a run whose largest arrays are a few MiB (a small model, a short sequence)
 * never gets there, so each step's arrays were faulted in page by page and given back again: on the tiny fixture a
 * sixth of a sampling step and of a training step went to the kernel (page faults, {@code madvise}). The mmap and
 * trim thresholds are the values glibc itself settles on once a 32 MiB array has been freed (a large model's logits
 * do that in its first step), set from the start: tiny training step 0.040 -> 0.033 s and batch-16 sampling +15-20%
 * on this machine, the peaks within a few MB.
 *
 * <p>The top pad: a thread other than the process's first allocates from its own arena, a chain of 64 MiB heaps
 * (glibc's HEAP_MAX_SIZE on 64-bit), and when the newest heap of the chain is all free glibc unmaps it, unless the
 * heap below has less than the top pad free at its top. With glibc's pad of 0 a small model's training step (its
 * arrays need two heaps, the first nearly full) emptied the second heap at every step's end and mapped and faulted
 * it in again in the next: 475,000 page faults in 9 s of tiny training steps. A pad of 4 MiB keeps that heap: 388
 * faults, training step 0.035-0.043 -> 0.033-0.038 s, peaks within noise. A larger pad keeps more, and costs memory:
 * 64 MiB (no heap ever unmapped) took a 0.5B-shape training step from ~440,000 to ~270,000 faults and 4.9 to 4.1 s
 * with one thread, but raised its LoRA step's peak with two threads by 230-370 MB (6,966-6,982 -> 7,215-7,333 MiB,
 * past what {@code zerorl plan} promises): each thread's arena keeps its own freed memory, which the other cannot
 * reuse. With 4 MiB that peak is as without a pad (6,935-6,998 MiB). Numbers are unchanged (the allocator does not
 * touch arithmetic).
 *
 * <p>Skipped where glibc is not the C library, when {@code GLIBC_TUNABLES} already sets a {@code glibc.malloc}
 * parameter or a {@code MALLOC_*_} variable sets one of these three (the user's choice wins), or with
 * {@code ZERORL_MALLOC=default}.
 */
public final class NativeAllocator {
    static final int M_TRIM_THRESHOLD = -1;
    static final int M_TOP_PAD = -2;
    static final int M_MMAP_THRESHOLD = -3;
    /** glibc's largest dynamic mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX). */
    static final int MMAP_THRESHOLD = 32 << 20;
    static final int TRIM_THRESHOLD = 32 << 20;
    /** Enough that a nearly full heap keeps the empty one after it; small enough not to hoard (see above). */
    static final int TOP_PAD = 4 << 20;
    /** glibc's environment variables for the same three parameters. */
    static final String[] LEGACY_VARIABLES = {"MALLOC_TOP_PAD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"};

    private static String state;

    private NativeAllocator() {}

    /** Applies the thresholds the first time it is called; returns what was done (for logs and tests). */
    public static synchronized String configure() {
        if (state == null) {
            state = apply(System.getenv());
        }
        return state;
    }

    /** @param env the process environment: where the user may have chosen otherwise */
    static String apply(Map<String, String> env) {
        String setting = env.get("ZERORL_MALLOC");
        if (setting != null && setting.trim().toLowerCase(Locale.ROOT).equals("default")) {
            return "glibc defaults (ZERORL_MALLOC=default)";
        }
        String tunables = env.get("GLIBC_TUNABLES");
        if (tunables != null && tunables.contains("glibc.malloc.")) {
            return "glibc defaults plus GLIBC_TUNABLES (" + tunables + ")";
        }
        for (String name : LEGACY_VARIABLES) {
            if (env.containsKey(name)) {
                return "glibc defaults plus " + name;
            }
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "the platform's allocator (not Linux)";
        }
        try {
            NativeLibrary c = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            c.getFunction("gnu_get_libc_version"); // throws where the C library is not glibc (musl, ...)
            Function mallopt = c.getFunction("mallopt");
            boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD}) == 1;
            return ok ? "glibc, mmap and trim thresholds " + (MMAP_THRESHOLD >> 20) + " MiB, top pad "
                    + (TOP_PAD >> 20) + " MiB"
                    : "glibc defaults (mallopt refused the thresholds)";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "the C library's defaults (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
    }
}
