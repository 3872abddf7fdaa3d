package io.zerorl.reward.external;

import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

import java.util.List;
import java.util.Map;

/**
 * A JVM that starts a reward program (which ignores end of input and has a child of its own), prints both pids, and
 * then ends without closing the reward: {@code exit} calls System.exit, {@code wait} waits to be sent SIGTERM.
 */
public final class ReaperChild {
    private ReaperChild() {}

    public static void main(String[] args) throws InterruptedException {
        RewardOptions o = new RewardOptions("external", Map.of("command", List.of("env", "IGNORE_EOF=1", "python3", args[0])));
        ExternalProgramReward f = new ExternalProgramReward("external", o, s -> { });
        Score s = f.score(Programs.rows("CHILD")).get(0);
        System.out.println("PIDS " + s.details().get("pid") + " " + s.details().get("child"));
        System.out.flush();
        if (args[1].equals("exit")) {
            System.exit(0);
        }
        Thread.sleep(300_000);
    }
}
