package io.zerorl.cli;

import io.zerorl.data.DataDirs;
import io.zerorl.data.DatasetDescriptor;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.util.Files2;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/** {@code zerorl datasets list|fetch}: which benchmark files are present, and getting them. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "List benchmark datasets (the default) or fetch their files.",
        subcommands = {DatasetsCommand.ListCmd.class, DatasetsCommand.FetchCmd.class},
        footer = {"", "Examples:", "  ./zerorl datasets", "  ./zerorl datasets list --data-dir ../shared/datasets",
            "  ./zerorl datasets fetch gsm8k"})
public final class DatasetsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return new ListCmd().call();
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show the dataset descriptors and whether each file is present.",
            footer = {"", "Examples:", "  ./zerorl datasets list", "  ./zerorl datasets list --data-dir ../shared/datasets"})
    static final class ListCmd implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Folder holding the benchmark files.")
        Path dataDir;

        @Override
        public Integer call() {
            DataDirs dirs = DataDirs.resolve(dataDir);
            PrintStream out = System.out;
            out.printf("%-15s %-15s %6s  %-8s %s%n", "NAME", "CHECK", "ROWS", "FILE", "DESCRIPTION");
            for (DatasetDescriptor d : DatasetRegistry.builtin().all()) {
                var found = dirs.find(d.file());
                out.printf("%-15s %-15s %6s  %-8s %s%n", d.name(), d.answerKind().yamlName(),
                        d.rows() == null ? "?" : d.rows(), found.isPresent() ? "present" : "missing", d.description());
                out.printf("%-15s %s%n", "", found.map(Path::toString)
                        .orElse("-> " + dirs.downloadDir().resolve(d.file()) + "  (zerorl datasets fetch " + d.name() + ")"));
            }
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a dataset file from its canonical URL (needs network).",
            footer = {"", "Examples:", "  ./zerorl datasets fetch gsm8k",
                "  ./zerorl datasets fetch math500 --data-dir ../shared/datasets --force",
                "  ./zerorl datasets fetch humaneval --offline   # where to put the file"})
    static final class FetchCmd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Dataset name (see: zerorl datasets list).")
        String name;

        @Option(names = "--data-dir", description = "Where to write (default ~/.cache/zerorl/datasets).")
        Path dataDir;

        @Option(names = "--offline", description = "Do not try the network; print where to place the file.")
        boolean offline;

        @Option(names = "--force", description = "Download even when the file is already present.")
        boolean force;

        @Option(names = "--url", hidden = true, description = "Override the download URL (mirrors, tests).")
        String url;

        @Option(names = "--timeout", description = "Seconds before giving up (default ${DEFAULT-VALUE}).", defaultValue = "60")
        int timeoutSeconds;

        @Override
        public Integer call() {
            DatasetDescriptor d = DatasetRegistry.builtin().get(name);
            DataDirs dirs = DataDirs.resolve(dataDir);
            Path target = dirs.downloadDir().resolve(d.file()).toAbsolutePath().normalize();
            if (!force && dirs.find(d.file()).isPresent()) {
                System.out.println(d.name() + " is already present at " + dirs.find(d.file()).get() + " (use --force to download again)");
                return 0;
            }
            String source = url != null ? url : d.url();
            String manual = "Place " + source + " at " + target + (source.endsWith(".gz") ? " (decompressed)" : "");
            if (offline || Boolean.getBoolean("zerorl.offline")) {
                throw new ZerorlException("offline: not downloading " + d.name() + ". " + manual);
            }
            byte[] bytes;
            try {
                bytes = download(source);
            } catch (IOException | RuntimeException e) {
                throw new ZerorlException("Could not download " + source + " (" + e + "). " + manual, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZerorlException("Download of " + source + " interrupted. " + manual);
            }
            if (d.sha256() != null && url == null && !d.sha256().equals(sha256(bytes))) {
                throw new ZerorlException("Downloaded " + source + " but its sha256 " + sha256(bytes) + " differs from "
                        + d.sha256() + " (a different upstream version?); not written. " + manual);
            }
            Files2.writeAtomically(target, bytes); // temp file + rename: never a half-written dataset
            System.out.println("wrote " + target + " (" + bytes.length + " bytes)");
            return 0;
        }

        private byte[] download(String source) throws IOException, InterruptedException {
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create(source)).timeout(Duration.ofSeconds(timeoutSeconds)).build();
            HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) {
                throw new IOException("HTTP " + resp.statusCode());
            }
            byte[] body = resp.body();
            if (source.endsWith(".gz")) {
                try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = gz.readAllBytes();
                }
            }
            return body;
        }

        private static String sha256(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
