package io.zerorl.reward.external;

import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reward programs for the failure tests: each misbehaves on cue, when a completion holds a keyword. */
final class Programs {
    private Programs() {}

    /**
     * Scores len(completion) and reports its pid, except: CRASH exits 3 after a message on stderr, HANG sleeps,
     * GARBAGE prints prose, BADSCORE a string score, SKIP answers nothing, TWICE answers twice, CHILD starts
     * {@code sleep 300} and reports its pid, EXIT0 exits with status 0 at once. With IGNORE_EOF set it keeps
     * running after its input ends (only a kill stops it).
     */
    static final String SCRIPTED = """
            import json, os, subprocess, sys, time
            print("scripted reward started", file=sys.stderr, flush=True)
            children = []
            for line in sys.stdin:
                row = json.loads(line)
                c = row["completion"]
                if "CRASH" in c:
                    print("boom on purpose at " + c, file=sys.stderr, flush=True)
                    sys.exit(3)
                if "HANG" in c:
                    time.sleep(300)
                if "EXIT0" in c:
                    sys.exit(0)
                if "SKIP" in c:
                    continue
                if "GARBAGE" in c:
                    print("hello, this is not JSON", flush=True)
                    continue
                if "BADSCORE" in c:
                    print(json.dumps({"score": "high"}), flush=True)
                    continue
                details = {"pid": os.getpid(), "batch": row["_batch"]}
                if "CHILD" in c:
                    children.append(subprocess.Popen(["sleep", "300"]))
                    details["child"] = children[-1].pid
                print(json.dumps({"score": len(c), "details": details}), flush=True)
                if "TWICE" in c:
                    print(json.dumps({"score": 0}), flush=True)
            if os.environ.get("IGNORE_EOF"):
                time.sleep(300)
            """;

    /** Reads a whole request batch (its "_batch" size) before answering any of it, as a vectorised judge would. */
    static final String BATCHED = """
            import json, sys
            rows = []
            for line in sys.stdin:
                rows.append(json.loads(line))
                if len(rows) == rows[0]["_batch"]["size"]:
                    out = [json.dumps({"score": float(len(r["completion"])), "details": {"batch": len(rows)}}) for r in rows]
                    sys.stdout.write("\\n".join(out) + "\\n")
                    sys.stdout.flush()
                    rows = []
            """;

    static Path write(Path dir, String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RewardOptions options(Path script, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", List.of("python3", script.toString()));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return new RewardOptions("external", m);
    }

    static List<RewardInput> rows(String... completions) {
        List<RewardInput> out = new ArrayList<>();
        for (String c : completions) {
            out.add(new RewardInput("q", c, Map.of("answer", "x")));
        }
        return out;
    }
}
