package io.zerorl.reward.external;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills the reward programs still running when the JVM exits (normal exit, {@code System.exit}, Ctrl-C, SIGTERM),
 * with every process they started, so that none is left orphaned. One shutdown hook for all of them, added with
 * the first program. (A JVM killed with SIGKILL runs no hook: its programs then see end of input on stdin, and the
 * protocol asks them to exit there.)
 */
final class Reaper {
    private static final Set<ProgramProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static boolean hooked;

    private Reaper() {}

    static synchronized void register(ProgramProcess p) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(Reaper::killAll, "zerorl reward reaper"));
            hooked = true;
        }
        LIVE.add(p);
    }

    static void unregister(ProgramProcess p) {
        LIVE.remove(p);
    }

    /** How many started programs have not been closed or killed yet. */
    static int live() {
        return LIVE.size();
    }

    private static void killAll() {
        for (ProgramProcess p : List.copyOf(LIVE)) {
            p.kill();
        }
    }
}
