package io.zerorl.reward.code;

import io.zerorl.util.ZerorlException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs untrusted Python programs (model output plus a dataset's tests) with {@code python3}, one fresh
 * process per program, on a bounded worker pool.
 *
 * <p>What each run gets, outermost first:
 * <ul>
 *   <li>{@code setsid}: its own session and process group, so the whole group can be killed;</li>
 *   <li>{@code unshare --net --pid --fork --kill-child} when the kernel allows it (detected once at start; as root
 *       directly, otherwise inside a user namespace): no network interfaces but a down loopback, and a PID
 *       namespace whose processes all die with the program;</li>
 *   <li>as root, {@code setpriv} to user {@code nobody} (65534) with no groups: the host's files are only as
 *       reachable as for an unprivileged user, and the limits below cannot be raised again;</li>
 *   <li>{@code runner.py}: {@code RLIMIT_CPU}, {@code RLIMIT_AS} (memory), {@code RLIMIT_FSIZE}, {@code RLIMIT_NOFILE},
 *       {@code RLIMIT_NPROC}, no core dumps; then a PEP 578 audit hook that refuses process creation, signals,
 *       sockets, {@code ctypes}, environment changes and any write, delete, rename or chmod outside the work
 *       directory (openai/human-eval's {@code reliability_guard} list);</li>
 *   <li>{@code python3 -I -S -B}: isolated mode, no site-packages, no bytecode files;</li>
 *   <li>an environment holding only {@code PATH}, {@code LANG}, {@code HOME} and {@code TMPDIR} (the latter two the
 *       work directory), a fresh temporary work directory deleted afterwards, stdin closed after a secret;</li>
 *   <li>a wall-clock limit after which the process tree is killed, and an output cap (stdout and stderr
 *       together) past which it is killed too;</li>
 *   <li>success means: exit status 0 <em>and</em> a per-run random token printed by the runner after the
 *       program finished, so {@code exit(0)} or {@code os._exit(0)} before the tests does not count as passing.</li>
 * </ul>
 *
 * <p>What it does NOT protect against (see also {@code rewards/README.md}): kernel exploits and side channels
 * (this is not a VM or gVisor); reading world-readable host files; filling {@code /tmp}, {@code /dev/shm} or
 * the work directory with many small files within the time limit (the file-size limit is per file);
 * CPU/memory pressure on other processes within the limits; without {@code unshare} (non-Linux, or no
 * namespaces allowed) network access is only blocked by the Python audit hook, and without root/namespaces
 * {@code RLIMIT_NPROC} counts all processes of the user; code that escapes the interpreter-level hook
 * (a C extension already importable, or introspection of the runner's frames to forge the success token)
 * is only held back by the OS-level layers. Run training on a machine you can afford to lose, or in a container.
 */
public final class PythonSandbox implements AutoCloseable {
    /** Outcome of one program. */
    public enum Status { PASSED, FAILED, TIMEOUT, OUTPUT_LIMIT, ERROR }

    /** Per-program limits. */
    public record Limits(long wallMs, int cpuSeconds, long memoryBytes, int outputBytes, long fileBytes,
                         int maxOpenFiles, int maxProcesses) {
        public static Limits defaults() {
            return new Limits(10_000, 10, 1L << 30, 64 * 1024, 16L << 20, 64, 64);
        }

        public Limits withWallMs(long ms) {
            return new Limits(ms, cpuSeconds, memoryBytes, outputBytes, fileBytes, maxOpenFiles, maxProcesses);
        }

        public Limits withCpuSeconds(int s) {
            return new Limits(wallMs, s, memoryBytes, outputBytes, fileBytes, maxOpenFiles, maxProcesses);
        }
    }

    /** What happened: status, exit code (-1 when killed), captured output (capped) and wall time. */
    public record Result(Status status, int exitCode, String output, long wallMs) {
        public boolean passed() {
            return status == Status.PASSED;
        }

        /** The last {@code n} characters of the output, for logs. */
        public String outputTail(int n) {
            return output.length() <= n ? output : output.substring(output.length() - n);
        }
    }

    private static final String RUNNER = loadRunner();
    private static volatile Isolation isolation;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Limits limits;
    private final ExecutorService pool;
    private final int workers;

    public PythonSandbox(Limits limits, int workers) {
        if (workers < 1) {
            throw new ZerorlException("sandbox workers must be >= 1, got " + workers);
        }
        this.limits = limits;
        this.workers = workers;
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "zerorl-sandbox-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public PythonSandbox() {
        this(Limits.defaults(), Runtime.getRuntime().availableProcessors());
    }

    public Limits limits() {
        return limits;
    }

    public int workers() {
        return workers;
    }

    /** Runs the programs on the worker pool; results in input order. */
    public List<Result> runAll(List<String> programs) {
        List<Future<Result>> fs = new ArrayList<>(programs.size());
        for (String p : programs) {
            fs.add(pool.submit(() -> run(p)));
        }
        List<Result> out = new ArrayList<>(fs.size());
        for (Future<Result> f : fs) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZerorlException("interrupted while running sandboxed programs");
            } catch (ExecutionException e) {
                out.add(new Result(Status.ERROR, -1, String.valueOf(e.getCause()), 0));
            }
        }
        return out;
    }

    /** Runs one program on the calling thread. Never throws for anything the program does. */
    public Result run(String program) {
        Isolation iso = isolation();
        long t0 = System.nanoTime();
        Path dir = null;
        Process p = null;
        try {
            dir = Files.createTempDirectory("zerorl-sbx-");
            Files.writeString(dir.resolve("program.py"), program, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("runner.py"), runner(), StandardCharsets.UTF_8);
            if (iso.dropToNobody) {
                Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            }
            List<String> cmd = new ArrayList<>(iso.prefix);
            cmd.addAll(List.of(iso.python, "-I", "-S", "-B", "runner.py"));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.clear();
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("LANG", "C.UTF-8");
            env.put("HOME", dir.toString());
            env.put("TMPDIR", dir.toString());
            p = pb.start();
            String token = HexFormat.of().formatHex(randomBytes());
            try (OutputStream in = p.getOutputStream()) {
                in.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // the program may already be gone
            }
            Process proc = p;
            Capture cap = new Capture(p.getInputStream(), limits.outputBytes(), () -> killTree(proc, iso));
            Thread reader = new Thread(cap, "zerorl-sandbox-out");
            reader.setDaemon(true);
            reader.start();
            boolean exited = p.waitFor(limits.wallMs(), TimeUnit.MILLISECONDS);
            Status status;
            int code = -1;
            if (!exited) {
                killTree(p, iso);
                status = cap.overflow ? Status.OUTPUT_LIMIT : Status.TIMEOUT;
            } else {
                code = p.exitValue();
                status = null;
            }
            reader.join(exited ? 2000 : 500);
            if (cap.overflow) {
                status = Status.OUTPUT_LIMIT;
            }
            if (!iso.pidNamespace) {
                killTree(p, iso); // stray background children of a program that exited
            }
            String out = cap.text();
            if (status == null) {
                boolean tokenSeen = out.stripTrailing().endsWith(token);
                status = code == 0 && tokenSeen ? Status.PASSED : Status.FAILED;
                if (tokenSeen) {
                    out = out.stripTrailing();
                    out = out.substring(0, out.length() - token.length()).stripTrailing();
                }
            }
            return new Result(status, code, out, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            return new Result(Status.ERROR, -1, "sandbox error: " + e.getMessage(), (System.nanoTime() - t0) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Status.ERROR, -1, "interrupted", (System.nanoTime() - t0) / 1_000_000);
        } finally {
            if (p != null && p.isAlive()) {
                killTree(p, iso);
            }
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private String runner() {
        return RUNNER.replace("@CPU@", Integer.toString(limits.cpuSeconds()))
                .replace("@MEM@", Long.toString(limits.memoryBytes()))
                .replace("@FSIZE@", Long.toString(limits.fileBytes()))
                .replace("@NOFILE@", Integer.toString(limits.maxOpenFiles()))
                .replace("@NPROC@", Integer.toString(limits.maxProcesses()));
    }

    /** Kills the process, its process group (setsid made pid == pgid) and any descendants still visible. */
    private static void killTree(Process p, Isolation iso) {
        List<ProcessHandle> kids = new ArrayList<>();
        try {
            p.descendants().forEach(kids::add);
        } catch (RuntimeException ignored) {
            // process already reaped
        }
        if (iso.setsid) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException ignored) {
                // best effort; the handles below still apply
            }
        }
        p.destroyForcibly();
        kids.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort: a leftover temp dir is not worth failing a training step
        }
    }

    /** Reads a stream, keeping at most {@code cap} bytes; past that it flags overflow and stops reading. */
    private static final class Capture implements Runnable {
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Runnable onOverflow;
        volatile boolean overflow;

        Capture(InputStream in, int cap, Runnable onOverflow) {
            this.in = in;
            this.cap = cap;
            this.onOverflow = onOverflow;
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try {
                int n;
                while ((n = in.read(b)) > 0) {
                    synchronized (buf) {
                        int room = cap - buf.size();
                        buf.write(b, 0, Math.min(room, n));
                        if (n > room) {
                            overflow = true;
                            break;
                        }
                    }
                }
            } catch (IOException ignored) {
                // stream closed by kill
            } finally {
                if (overflow) {
                    onOverflow.run();
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
            }
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    // ---------------------------------------------------------------- isolation detection

    /** The wrappers available on this machine, detected once. */
    public record Isolation(List<String> prefix, String python, boolean setsid, boolean netNamespace,
                            boolean pidNamespace, boolean dropToNobody) {
        public String describe() {
            return "python=" + python + " setsid=" + setsid + " net_namespace=" + netNamespace
                    + " pid_namespace=" + pidNamespace + " run_as_nobody=" + dropToNobody;
        }
    }

    public static Isolation isolation() {
        Isolation i = isolation;
        if (i == null) {
            synchronized (PythonSandbox.class) {
                if (isolation == null) {
                    isolation = detect();
                }
                i = isolation;
            }
        }
        return i;
    }

    private static Isolation detect() {
        String python = findPython();
        if (python == null) {
            throw new ZerorlException("Code rewards need python3 on PATH (apt-get install python3)");
        }
        String setsid = which("setsid");
        String unshare = which("unshare");
        String setpriv = which("setpriv");
        boolean root = isRoot();
        List<String> prefix = new ArrayList<>();
        if (setsid != null) {
            prefix.add(setsid);
        }
        boolean ns = false;
        if (unshare != null && !"false".equals(System.getProperty("zerorl.sandbox.namespaces"))) {
            List<String> direct = List.of(unshare, "--net", "--pid", "--fork", "--kill-child");
            List<String> user = List.of(unshare, "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child");
            if (root && works(concat(direct, List.of(python, "-c", "pass")))) {
                prefix.addAll(direct);
                ns = true;
            } else if (!root && works(concat(user, List.of(python, "-c", "pass")))) {
                prefix.addAll(user);
                ns = true;
            }
        }
        boolean nobody = false;
        if (root && setpriv != null) {
            List<String> drop = List.of(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all");
            if (works(concat(drop, List.of(python, "-c", "pass")))) {
                prefix.addAll(drop);
                nobody = true;
            }
        }
        return new Isolation(List.copyOf(prefix), python, setsid != null, ns, ns, nobody);
    }

    /**
     * The interpreter: {@code -Dzerorl.sandbox.python=...}, else the system's {@code /usr/bin/python3}, else the
     * real executable behind {@code python3} on PATH (resolving shims such as pyenv's, which are slow to start
     * and may live where the unprivileged sandbox user cannot read).
     */
    private static String findPython() {
        String p = System.getProperty("zerorl.sandbox.python");
        if (p != null && !p.isBlank()) {
            return p;
        }
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return "/usr/bin/python3";
        }
        String onPath = which("python3");
        if (onPath == null) {
            return null;
        }
        try {
            Process pr = new ProcessBuilder(onPath, "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (pr.waitFor(20, TimeUnit.SECONDS) && pr.exitValue() == 0 && Files.isExecutable(Path.of(out))) {
                return out;
            }
        } catch (IOException | InterruptedException | RuntimeException ignored) {
            // fall back to the PATH entry
        }
        return onPath;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private static boolean works(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | UncheckedIOException | ArrayIndexOutOfBoundsException ignored) {
            // not Linux
        }
        return false;
    }

    static String which(String exe) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String d : path.split(":")) {
            if (!d.isEmpty()) {
                Path f = Path.of(d, exe);
                if (Files.isExecutable(f)) {
                    return f.toString();
                }
            }
        }
        return null;
    }

    private static String loadRunner() {
        try (InputStream in = PythonSandbox.class.getResourceAsStream("runner.py")) {
            if (in == null) {
                throw new IllegalStateException("runner.py missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
