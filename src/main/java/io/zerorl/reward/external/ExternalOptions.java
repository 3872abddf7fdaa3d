package io.zerorl.reward.external;

import io.zerorl.reward.RewardOptions;
import io.zerorl.util.ZerorlException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Options shared by the external rewards, checked when the reward is built (before any model loads). */
final class ExternalOptions {
    /** Arguments with these endings name a script file that must exist (a cheap check for a mistyped path). */
    private static final Set<String> SCRIPTS = Set.of("py", "js", "mjs", "cjs", "ts", "rb", "pl", "sh", "r", "jl", "php",
            "lua", "jar", "java");

    private ExternalOptions() {}

    /** {@code id}: the name in metrics ({@code rewards/<id>/mean}); needed when a recipe lists two of a kind. */
    static String id(RewardOptions o, String dflt) {
        String id = o.getString("id", dflt);
        if (!id.matches("[A-Za-z][A-Za-z0-9_.-]*")) {
            throw new ZerorlException("Reward '" + o.reward() + "': option 'id' must be letters, digits, '_', '-', '.'"
                    + " starting with a letter, got '" + id + "'");
        }
        return id;
    }

    /** {@code on_error}: fail (default) or null. */
    static boolean failOnError(RewardOptions o) {
        return o.getChoice("on_error", "fail", List.of("fail", "null")).equals("fail");
    }

    /** {@code workdir}: where the program runs and its relative paths start (default: the current directory). */
    static Path workdir(RewardOptions o) {
        Path dir = Path.of(o.getString("workdir", "")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ZerorlException("Reward '" + o.reward() + "': workdir " + dir + " is not a directory");
        }
        return dir;
    }

    /** {@code command}: the program and its arguments; the program must be found and named script files exist. */
    static List<String> command(RewardOptions o, Path workdir) {
        List<String> cmd = o.getStringList("command");
        if (cmd == null || cmd.isEmpty()) {
            throw new ZerorlException("Reward '" + o.reward() + "' needs a 'command', the program to run and its"
                    + " arguments, e.g. {name: external, command: [python3, my_reward.py]}");
        }
        String exe = cmd.get(0);
        Path resolved = resolve(exe, workdir);
        if (resolved == null) {
            throw new ZerorlException("Reward '" + o.reward() + "': program '" + exe + "' not found"
                    + (exe.contains("/") ? " (relative to " + workdir + ")" : " on PATH") + "; check 'command'");
        }
        for (String arg : cmd.subList(1, cmd.size())) {
            if (looksLikeScript(arg) && !Files.isRegularFile(workdir.resolve(arg))) {
                throw new ZerorlException("Reward '" + o.reward() + "': command " + cmd + " names the file '" + arg
                        + "', which does not exist (relative to " + workdir + ")");
            }
        }
        if (exe.contains("/")) { // a relative program path means the same whatever the JVM's directory
            cmd = new java.util.ArrayList<>(cmd);
            cmd.set(0, resolved.toString());
        }
        return List.copyOf(cmd);
    }

    private static boolean looksLikeScript(String arg) {
        int dot = arg.lastIndexOf('.');
        return !arg.startsWith("-") && dot > 0 && SCRIPTS.contains(arg.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The executable: a path when it has a slash, else the first match on PATH; null when there is none. */
    static Path resolve(String exe, Path workdir) {
        if (exe.contains("/")) {
            Path p = workdir.resolve(exe);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(exe);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
