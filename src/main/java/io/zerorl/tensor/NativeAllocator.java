package io.zerorl.tensor;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.util.Locale;

/**
 * Sets glibc's allocator thresholds for tensor memory once per process, before the first model is loaded: arrays up
 * to 32 MiB come from the allocator's heaps and up to 32 MiB of freed memory stays there for the next arrays.
 *
 * <p>libtorch allocates and frees every tensor through {@code malloc}. glibc starts by serving anything over 128 KiB
 * with a fresh {@code mmap} and returning free heap tops over 256 KiB to the kernel, raising both limits only after
 * an array of that size has been freed; a run whose largest arrays are a few MiB (a small model, a short sequence)
 * never gets there, so each step's arrays were faulted in page by page and given back again: on the tiny fixture a
 * sixth of a sampling step and of a training step went to the kernel (page faults, {@code madvise}). These are the
 * values glibc itself settles on once a 32 MiB array has been freed (a large model's logits do that in its first
 * step), set from the start: tiny training step 0.040 -> 0.033 s and batch-16 sampling +15-20% on this machine, the
 * peaks within a few MB. Numbers are unchanged (the allocator does not touch arithmetic).
 *
 * <p>Skipped where glibc is not the C library, when {@code GLIBC_TUNABLES} already sets a {@code glibc.malloc}
 * parameter (the user's choice wins), or with {@code ZERORL_MALLOC=default}.
 */
public final class NativeAllocator {
    static final int M_TRIM_THRESHOLD = -1;
    static final int M_MMAP_THRESHOLD = -3;
    /** glibc's largest dynamic mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX). */
    static final int MMAP_THRESHOLD = 32 << 20;
    static final int TRIM_THRESHOLD = 32 << 20;

    private static String state;

    private NativeAllocator() {}

    /** Applies the thresholds the first time it is called; returns what was done (for logs and tests). */
    public static synchronized String configure() {
        if (state == null) {
            state = apply(System.getenv("ZERORL_MALLOC"), System.getenv("GLIBC_TUNABLES"));
        }
        return state;
    }

    static String apply(String setting, String tunables) {
        if (setting != null && setting.trim().toLowerCase(Locale.ROOT).equals("default")) {
            return "glibc defaults (ZERORL_MALLOC=default)";
        }
        if (tunables != null && tunables.contains("glibc.malloc.")) {
            return "glibc defaults plus GLIBC_TUNABLES (" + tunables + ")";
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "the platform's allocator (not Linux)";
        }
        try {
            NativeLibrary c = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            c.getFunction("gnu_get_libc_version"); // throws where the C library is not glibc (musl, ...)
            Function mallopt = c.getFunction("mallopt");
            boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1;
            return ok ? "glibc, mmap and trim thresholds " + (MMAP_THRESHOLD >> 20) + " MiB"
                    : "glibc defaults (mallopt refused the thresholds)";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "the C library's defaults (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
    }
}
