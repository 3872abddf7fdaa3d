package io.zerorl.util;

import java.nio.file.Path;

/** Where zerorl caches what it builds (pretrained base models, compiled reward sources). */
public final class CacheRoot {
    private CacheRoot() {}

    /** The {@code zerorl.cache} system property, else {@code $ZERORL_CACHE}, else {@code ~/.cache/zerorl}. */
    public static Path get() {
        String p = System.getProperty("zerorl.cache");
        if (p == null || p.isBlank()) {
            p = System.getenv("ZERORL_CACHE");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "zerorl");
    }
}
