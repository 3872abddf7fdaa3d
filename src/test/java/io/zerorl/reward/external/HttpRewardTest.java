package io.zerorl.reward.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static io.zerorl.reward.external.Programs.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The http reward against real servers on the loopback address: the Python example's and scripted JDK ones. */
@Timeout(120)
class HttpRewardTest {
    /** A reply: status and body. */
    record Reply(int status, String body) {}

    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A server on 127.0.0.1 answering the n-th request (from 0) with {@code reply.apply(n)}; returns its URL. */
    private String serve(Function<Integer, Reply> reply) throws IOException {
        AtomicInteger n = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/score", ex -> answer(ex, reply.apply(n.getAndIncrement())));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/score";
    }

    private void answer(HttpExchange ex, Reply r) throws IOException {
        requests.add(Json.MAPPER.readTree(ex.getRequestBody()));
        byte[] b = r.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(r.status(), b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private HttpReward reward(String url, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("url", url, "backoff_ms", 20, "timeout_ms", 5000));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return new HttpReward("http", new RewardOptions("http", m), log::add);
    }

    @Test
    void thePythonExampleServedOverHttpScoresLikeTheLineProgram() throws Exception {
        Process p = new ProcessBuilder("python3", ExternalProgramRewardTest.EXAMPLE, "--http", "0").start();
        try {
            String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).startsWith("listening on http://127.0.0.1:");
            String url = first.substring("listening on ".length());
            var f = RewardRegistry.standard().create("http", Map.of("url", url, "batch_size", 2));
            List<Score> s = f.score(List.of(new RewardInput("q", "It is Apple.", Map.of("answer", "apple")),
                    new RewardInput("q", "ppl", Map.of("answer", "apple")), new RewardInput("q", "no gold", Map.of())));
            assertThat(s).extracting(Score::value).containsExactly(1.0, 0.5, null);
            assertThat(s.get(0).details()).containsEntry("matched", true);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void sendsOpenRlhfFieldsAndTakesABareArrayOrTheRewardsKey() throws IOException {
        String url = serve(n -> n == 0 ? new Reply(200, "[0.5, null]") : new Reply(200, "{\"rewards\": [1, 0]}"));
        HttpReward f = reward(url);
        List<RewardInput> batch = List.of(new RewardInput("Q: ", "A1", Map.of("answer", "7")),
                new RewardInput("Q: ", "A2", Map.of("gold", 1), 4));
        assertThat(f.score(batch)).extracting(Score::value).containsExactly(0.5, null);
        JsonNode req = requests.get(0);
        assertThat(req.get("query").get(0).asText()).isEqualTo("Q: A1");
        assertThat(req.get("prompts").get(1).asText()).isEqualTo("Q: ");
        assertThat(req.get("labels").get(0).asText()).isEqualTo("7");
        assertThat(req.get("labels").get(1).isNull()).isTrue();
        assertThat(req.get("rows").get(1).get("gold").asInt()).isEqualTo(1);
        assertThat(req.get("rows").get(1).get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(f.score(batch)).extracting(Score::value).containsExactly(1.0, 0.0);
    }

    @Test
    void http500ThenSuccessIsRetriedWithBackoff() throws IOException {
        String url = serve(n -> n < 2 ? new Reply(500, "overloaded") : new Reply(200, "[{\"score\": 1, \"details\": {\"k\": 2}}]"));
        Score s = reward(url).score(rows("a")).get(0);
        assertThat(s.value()).isEqualTo(1.0);
        assertThat(s.details()).containsEntry("k", 2);
        assertThat(requests).hasSize(3);
    }

    @Test
    void aServerThatKeepsFailingIsAClearErrorOrTheConfiguredFallback() throws IOException {
        String url = serve(n -> new Reply(503, "down for maintenance"));
        assertThatThrownBy(() -> reward(url, "retries", 2).score(rows("a", "b")))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("http reward 'http' (POST " + url + "), rows 0-1 of the batch of 2")
                .hasMessageContaining("HTTP 503: \"down for maintenance\" (3 attempts)")
                .hasMessageContaining("on_error: null");
        assertThat(requests).hasSize(3);
        List<Score> s = reward(url, "retries", 0, "on_error", "null", "batch_size", 1).score(rows("a", "b"));
        assertThat(s).allMatch(x -> !x.applicable());
        assertThat((String) s.get(1).details().get("error")).contains("rows 1-1 of the batch of 2", "HTTP 503");
        assertThat(log).filteredOn(l -> l.contains("warning:")).hasSize(2);
    }

    @Test
    void aClientErrorIsNotRetried() throws IOException {
        String url = serve(n -> new Reply(404, "no such path"));
        assertThatThrownBy(() -> reward(url).score(rows("a"))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("not retried");
        assertThat(requests).hasSize(1);
    }

    @Test
    void aHangingServerEndsAtTimeoutMs() throws IOException {
        String url = serve(n -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Reply(200, "[1]");
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> reward(url, "timeout_ms", 300, "retries", 1).score(rows("a")))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("no answer within timeout_ms=300 (2 attempts)");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
    }

    @Test
    void malformedAnswersAreNotRetriedAndSayWhatIsWrong() throws IOException {
        String url = serve(n -> switch (n) {
            case 0 -> new Reply(200, "<html>oops</html>");
            case 1 -> new Reply(200, "[1]");
            case 2 -> new Reply(200, "[1, \"high\"]");
            default -> new Reply(200, "{\"scores\": [1, 2]}");
        });
        HttpReward f = reward(url);
        assertThatThrownBy(() -> f.score(rows("a", "b"))).hasMessageContaining("the answer is not JSON")
                .hasMessageContaining("<html>oops</html>");
        assertThatThrownBy(() -> f.score(rows("a", "b"))).hasMessageContaining("the answer has 1 scores for 2 rows");
        assertThatThrownBy(() -> f.score(rows("a", "b"))).hasMessageContaining("score 1 of the answer, for row 1 of the batch of 2");
        assertThatThrownBy(() -> f.score(rows("a", "b"))).hasMessageContaining("nor an object with \"rewards\"");
        assertThat(requests).hasSize(4);
    }

    @Test
    void nothingListeningIsRetriedThenAnError() throws IOException {
        String url = serve(n -> new Reply(200, "[]"));
        server.stop(0);
        server = null;
        assertThatThrownBy(() -> reward(url, "retries", 1).score(rows("a"))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("no connection").hasMessageContaining("(2 attempts)");
    }

    @Test
    void theUrlIsCheckedWhenTheRewardIsBuilt() {
        RewardRegistry reg = RewardRegistry.builtins();
        assertThatThrownBy(() -> reg.create("http", Map.of())).hasMessageContaining("needs a 'url'");
        assertThatThrownBy(() -> reg.create("http", Map.of("url", "ftp://x/score"))).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> reg.create("http", Map.of("url", "http://127.0.0.1:1/", "retris", 2)))
                .hasMessageContaining("did you mean 'retries'");
    }
}
