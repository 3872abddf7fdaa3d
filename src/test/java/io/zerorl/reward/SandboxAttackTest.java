package io.zerorl.reward;

import io.zerorl.reward.code.PythonSandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile programs are contained: each scores 0 through the code reward, finishes in bounded time, and the
 * host (files, network, processes, the JVM) is untouched. Every attack "passes its test" if it succeeds,
 * so a contained attack is exactly a score of 0.
 */
class SandboxAttackTest {
    static PythonSandbox sandbox;
    static RewardFunction code;

    @BeforeAll
    static void setUp() {
        sandbox = new PythonSandbox(PythonSandbox.Limits.defaults().withWallMs(4000).withCpuSeconds(2), 2);
        code = RewardRegistry.builtins().create("code", Map.of("timeout_ms", 4000, "cpu_seconds", 2, "memory_mb", 512, "workers", 2));
    }

    @AfterAll
    static void tearDown() {
        sandbox.close();
    }

    /** The attack as an MBPP-style completion whose single assert passes only if the attack worked. */
    static Score attack(String body) {
        return code.scoreOne(new RewardInput("", "```python\n" + body + "\n```", Map.of("test_list", List.of("assert attacked()"))));
    }

    static long children() {
        return ProcessHandle.current().descendants().count();
    }

    @Test
    void infiniteLoopIsKilled() {
        long t0 = System.nanoTime();
        Score s = attack("def attacked():\n    while True:\n        pass\n");
        assertThat(s.value()).isZero();
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
        assertThat(children()).isZero();
    }

    @Test
    void sleepingForeverHitsTheWallClock() {
        PythonSandbox.Result r = sandbox.run("import time\ntime.sleep(3600)\n");
        assertThat(r.status()).isEqualTo(PythonSandbox.Status.TIMEOUT);
    }

    @Test
    void forkBombIsContained() {
        long t0 = System.nanoTime();
        Score s = attack("import os\ndef attacked():\n    while True:\n        os.fork()\n");
        assertThat(s.value()).isZero();
        PythonSandbox.Result r = sandbox.run("import os\nwhile True:\n    try:\n        os.fork()\n    except Exception:\n        pass\n");
        assertThat(r.passed()).isFalse();
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
        assertThat(children()).isZero();
    }

    @Test
    void memoryBombFails() {
        Score s = attack("def attacked():\n    x = bytearray(8 * 1024 ** 3)\n    y = [0] * (10 ** 10)\n    return True\n");
        assertThat(s.value()).isZero();
        assertThat(String.valueOf(s.details().get("output"))).contains("MemoryError");
    }

    @Test
    void writingOutsideTheWorkDirectoryFails(@TempDir Path host) throws IOException {
        Path target = host.resolve("pwned.txt");
        host.toFile().setWritable(true, false);
        Score s = attack("def attacked():\n    open(" + py(target) + ", 'w').write('x')\n    open('/tmp/zerorl-pwned', 'w').write('x')\n    return True\n");
        assertThat(s.value()).isZero();
        assertThat(target).doesNotExist();
        assertThat(Path.of("/tmp/zerorl-pwned")).doesNotExist();
        // inside its own work directory it may write
        assertThat(sandbox.run("open('ok.txt', 'w').write('fine')\nassert open('ok.txt').read() == 'fine'\n").passed()).isTrue();
    }

    @Test
    void deletingHostFilesFails(@TempDir Path host) throws IOException {
        Path victim = Files.writeString(host.resolve("precious.txt"), "keep me");
        Score s = attack("import os, shutil\ndef attacked():\n    try:\n        os.remove(" + py(victim) + ")\n    except Exception:\n        pass\n"
                + "    shutil.rmtree(" + py(host) + ")\n    return True\n");
        assertThat(s.value()).isZero();
        assertThat(victim).hasContent("keep me");
    }

    @Test
    void networkConnectionsFail() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            int port = server.getLocalPort();
            Score s = attack("import socket\ndef attacked():\n    c = socket.create_connection(('127.0.0.1', " + port + "), timeout=2)\n    c.send(b'hi')\n    return True\n");
            assertThat(s.value()).isZero();
            // raw syscall path without the socket module's Python wrapper is blocked the same way (audit event)
            assertThat(sandbox.run("import _socket\ns = _socket.socket()\ns.connect(('127.0.0.1', " + port + "))\n").passed()).isFalse();
            try {
                server.accept().close();
                throw new AssertionError("the sandbox reached a host socket");
            } catch (SocketTimeoutException expected) {
                // nobody connected
            }
        }
    }

    @Test
    void environmentVariablesAreScrubbed() {
        String leak = System.getenv().keySet().stream().filter(k -> !k.equals("PATH") && !k.equals("LANG") && !k.equals("HOME"))
                .findFirst().orElse("USER");
        Score s = attack("import os\ndef attacked():\n    print(sorted(os.environ))\n    return " + py(leak) + " in os.environ\n");
        assertThat(s.value()).isZero();
        PythonSandbox.Result r = sandbox.run("import os\nprint(sorted(os.environ))\n");
        assertThat(r.output()).contains("PATH").doesNotContain("JAVA_HOME").doesNotContain("MAVEN");
        assertThat(r.output()).doesNotContain(leak);
    }

    @Test
    void printingGigabytesIsCutOff() {
        long t0 = System.nanoTime();
        Score s = attack("import sys\ndef attacked():\n    while True:\n        sys.stdout.write('x' * 1000000)\n");
        assertThat(s.value()).isZero();
        assertThat(s.details().get("status")).isEqualTo("output_limit");
        assertThat(String.valueOf(s.details().get("output")).length()).isLessThanOrEqualTo(500);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
    }

    @Test
    void exitingEarlyIsNotAPass() {
        assertThat(attack("import sys\nsys.exit(0)\ndef attacked():\n    return False\n").value()).isZero();
        assertThat(attack("import os\nos._exit(0)\n").value()).isZero();
        assertThat(attack("raise SystemExit\n").value()).isZero();
    }

    @Test
    void liftingLimitsAndForeignCallsAreRefused() {
        assertThat(sandbox.run("import resource\nresource.setrlimit(resource.RLIMIT_CPU, (-1, -1))\n").passed()).isFalse();
        assertThat(sandbox.run("import ctypes\n").passed()).isFalse();
        assertThat(sandbox.run("import subprocess\nsubprocess.run(['true'])\n").passed()).isFalse();
        assertThat(sandbox.run("import os\nos.system('true')\n").passed()).isFalse();
    }

    @Test
    void workDirectoriesAreRemoved() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before;
        try (var s = Files.list(tmp)) {
            before = s.filter(p -> p.getFileName().toString().startsWith("zerorl-sbx-")).count();
        }
        sandbox.runAll(List.of("open('a','w').write('1')\n", "import os\nos.makedirs('d/e')\n", "while True: pass\n"));
        long after;
        try (var s = Files.list(tmp)) {
            after = s.filter(p -> p.getFileName().toString().startsWith("zerorl-sbx-")).count();
        }
        assertThat(after).isLessThanOrEqualTo(before);
    }

    static String py(Object s) {
        return "'" + s.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
