package io.zerorl.reward.external;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code http}: a reward behind an HTTP endpoint, OpenRLHF's remote reward convention. Each request batch of up to
 * {@code batch_size} rows is one {@code POST} of {@code {"query": [prompt + completion, ...], "prompts": [...],
 * "labels": [row[label_field], ...], "rows": [request objects, see Protocol]}}; the answer is a JSON array with one
 * score per row (a number, null, or {@code {"score": ..., "details": {...}}}), or an object holding that array under
 * {@code score_key} (OpenRLHF's {@code {"rewards": [...]}}).
 *
 * <p>No answer within {@code timeout_ms}, a refused connection, HTTP 408, 429 and 5xx are retried {@code retries}
 * times, waiting {@code backoff_ms} and then twice as long each time; other statuses and malformed answers are not
 * retried. What still fails is an error naming the endpoint and the rows, or with {@code on_error: null} "not
 * applicable" for those rows plus a warning in the log. A batch waits at most about
 * {@code (retries + 1) * timeout_ms + backoff_ms * (2^retries - 1)}.
 */
public final class HttpReward implements RewardFunction {
    private static final int EXCERPT = 300;

    private final String name;
    private final URI url;
    private final long timeoutMs;
    private final int retries;
    private final long backoffMs;
    private final int batchSize;
    private final boolean failOnError;
    private final String labelField;
    private final String scoreKey;
    private final String label;
    private final Consumer<String> log;
    private final HttpClient client;

    public HttpReward(String name, RewardOptions options) {
        this(name, options, System.err::println);
    }

    HttpReward(String name, RewardOptions options, Consumer<String> log) {
        this.name = ExternalOptions.id(options, name);
        this.url = url(options);
        this.timeoutMs = options.getInt("timeout_ms", 30_000, 1, Integer.MAX_VALUE);
        this.retries = options.getInt("retries", 3, 0, 20);
        this.backoffMs = options.getInt("backoff_ms", 500, 0, 600_000);
        this.batchSize = options.getInt("batch_size", 64, 1, 100_000);
        this.failOnError = ExternalOptions.failOnError(options);
        this.labelField = options.getString("label_field", "answer");
        this.scoreKey = options.getString("score_key", "rewards");
        this.label = "http reward '" + this.name + "' (POST " + url + ")";
        this.log = log;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(timeoutMs)).build();
    }

    private static URI url(RewardOptions o) {
        String u = o.getString("url", null);
        if (u == null || u.isBlank()) {
            throw new ZerorlException("Reward '" + o.reward() + "' needs a 'url', e.g. {name: http, url: http://127.0.0.1:8000/score}");
        }
        try {
            URI uri = new URI(u.trim());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new java.net.URISyntaxException(u, "not an http:// or https:// address with a host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new ZerorlException("Reward '" + o.reward() + "': option 'url' must be an http:// or https:// URL, got '"
                    + u + "' (" + e.getReason() + ")");
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** A request batch that failed for good; the message names the endpoint and the rows. */
    private static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    @Override
    public List<Score> score(List<RewardInput> batch) {
        List<Score> out = new ArrayList<>(batch.size());
        for (int from = 0; from < batch.size(); from += batchSize) {
            int to = Math.min(batch.size(), from + batchSize);
            try {
                out.addAll(post(batch, from, to));
            } catch (Failed f) {
                if (failOnError) {
                    throw new ZerorlException(f.getMessage() + ". Check the service, raise timeout_ms or retries, or"
                            + " set on_error: null to score such rows as not applicable");
                }
                log.accept("[" + label + "] warning: " + f.getMessage() + "; scored as not applicable (on_error: null)");
                out.addAll(Collections.nCopies(to - from, Protocol.failed(f.getMessage())));
            }
        }
        return out;
    }

    private List<Score> post(List<RewardInput> batch, int from, int to) throws Failed {
        String where = label + ", rows " + from + "-" + (to - 1) + " of the batch of " + batch.size();
        HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(batch, from, to), StandardCharsets.UTF_8)).build();
        String last = "";
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                sleep(backoffMs << Math.min(attempt - 1, 20), where);
            }
            HttpResponse<String> resp;
            try {
                resp = send(req);
            } catch (IOException | TimeoutException e) {
                last = e instanceof TimeoutException ? "no answer within timeout_ms=" + timeoutMs : "no connection (" + e + ")";
                continue;
            }
            int status = resp.statusCode();
            if (status / 100 == 2) {
                return parse(resp.body(), batch, from, to, where);
            }
            last = "HTTP " + status + ": " + Protocol.quote(resp.body(), EXCERPT);
            if (!(status == 408 || status == 429 || status / 100 == 5)) {
                throw new Failed(where + ": " + last + " (not retried: a client error)");
            }
        }
        throw new Failed(where + ": " + last + " (" + (retries + 1) + (retries == 0 ? " attempt" : " attempts") + ")");
    }

    /** One exchange, bounded by timeout_ms from the request to the last byte of the answer. */
    private HttpResponse<String> send(HttpRequest req) throws IOException, TimeoutException {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ZerorlException(label + ": interrupted while waiting for an answer");
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.net.http.HttpTimeoutException) {
                throw new TimeoutException();
            }
            throw c instanceof IOException io ? io : new IOException(String.valueOf(c), c);
        }
    }

    private String body(List<RewardInput> batch, int from, int to) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode query = body.putArray("query");
        ArrayNode prompts = body.putArray("prompts");
        ArrayNode labels = body.putArray("labels");
        ArrayNode rows = body.putArray("rows");
        for (RewardInput in : batch.subList(from, to)) {
            query.add(in.prompt() + in.completion());
            prompts.add(in.prompt());
            labels.add(Json.MAPPER.valueToTree(in.fields().get(labelField)));
            rows.add(Protocol.request(in));
        }
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a reward request", e);
        }
    }

    private List<Score> parse(String text, List<RewardInput> batch, int from, int to, String where) throws Failed {
        JsonNode root;
        try {
            root = Protocol.READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Failed(where + ": the answer is not JSON (" + e.getOriginalMessage() + "): " + Protocol.quote(text, EXCERPT));
        }
        JsonNode arr = root != null && root.isObject() ? root.get(scoreKey) : root;
        if (arr == null || !arr.isArray()) {
            throw new Failed(where + ": the answer is neither a JSON array of scores nor an object with \"" + scoreKey
                    + "\": " + Protocol.quote(text, EXCERPT));
        }
        if (arr.size() != to - from) {
            throw new Failed(where + ": the answer has " + arr.size() + " scores for " + (to - from) + " rows");
        }
        List<Score> out = new ArrayList<>(to - from);
        for (int i = 0; i < arr.size(); i++) {
            try {
                out.add(Protocol.answer(arr.get(i), true));
            } catch (Protocol.BadAnswer e) {
                throw new Failed(label + ": score " + i + " of the answer, for " + Protocol.row(batch, from + i) + ", "
                        + e.getMessage());
            }
        }
        return out;
    }

    private void sleep(long ms, String where) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZerorlException(where + ": interrupted while waiting to retry");
        }
    }
}
