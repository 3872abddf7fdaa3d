package io.zerorl.reward.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.util.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Throughput of the rewards outside the JVM, in completions/s over batches of {@value #BATCH}: the shipped Python
 * example ({@code rewards/examples/python/answer_match.py}, from the repository root; elsewhere a minimal program
 * of the same protocol) in request batches of 64 lines and of 1 line (one round trip per completion), and the
 * {@code http} reward against a JDK server on the loopback address that answers 1.0 per row (what the exchange
 * itself costs: JSON both ways, one POST per 64 rows).
 */
final class ExternalBench {
    static final int BATCH = 256;
    static final Path EXAMPLE = Path.of("rewards/examples/python/answer_match.py");
    private static final String MINIMAL = """
            import json, sys
            for line in sys.stdin:
                row = json.loads(line)
                ok = str(row.get("answer", "")).lower() in row["completion"].lower()
                print(json.dumps({"score": 1.0 if ok else 0.0, "details": {}}), flush=True)
            """;

    private ExternalBench() {}

    static void run(double seconds, String filler, PrintWriter out) {
        List<RewardInput> rows = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            rows.add(new RewardInput("q", filler + "The answer is " + i + ".", Map.of("answer", String.valueOf(i % 2 == 0 ? i : -i))));
        }
        program(seconds, rows, out);
        http(seconds, rows, out);
    }

    private static void program(double seconds, List<RewardInput> rows, PrintWriter out) {
        if (!python()) {
            out.printf("external program:                skipped (python3 not on PATH)%n");
            return;
        }
        Path script = Files.isRegularFile(EXAMPLE) ? EXAMPLE : minimalProgram();
        for (int lines : new int[] {64, 1}) {
            try (RewardFunction f = RewardRegistry.builtins().create("external",
                    Map.of("command", List.of("python3", script.toString()), "batch_size", lines))) {
                double r = RewardBenchmark.measure(seconds, () -> f.score(rows).size());
                out.printf("external program, %2d-line batches: %,.0f completions/s (python3 %s)%n", lines, r,
                        script.getFileName());
            }
        }
    }

    private static void http(double seconds, List<RewardInput> rows, PrintWriter out) {
        HttpServer server;
        // without TCP_NODELAY the JDK server's reply waits on the client's delayed ACK: ~40 ms per POST
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            out.printf("http endpoint:                   skipped (%s)%n", e.getMessage());
            return;
        }
        server.createContext("/score", ExternalBench::answerOnes);
        server.start();
        try (RewardFunction f = RewardRegistry.builtins().create("http",
                Map.of("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/score", "batch_size", 64))) {
            double r = RewardBenchmark.measure(seconds, () -> f.score(rows).size());
            out.printf("http endpoint (loopback):        %,.0f completions/s (JDK server, 64 rows per POST)%n", r);
        } finally {
            server.stop(0);
        }
    }

    private static void answerOnes(HttpExchange ex) throws IOException {
        JsonNode body = Json.MAPPER.readTree(ex.getRequestBody());
        byte[] reply = ("[" + "1.0,".repeat(body.get("rows").size()).replaceAll(",$", "") + "]").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, reply.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(reply);
        }
    }

    private static boolean python() {
        try {
            return new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path minimalProgram() {
        try {
            Path p = Files.createTempFile("zerorl-bench-reward", ".py");
            p.toFile().deleteOnExit();
            Files.writeString(p, MINIMAL);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
