package io.zerorl.cluster.spark;

import io.zerorl.cluster.ClusterConfig;
import io.zerorl.util.ZerorlException;
import org.apache.spark.SparkConf;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Spark settings zerorl starts a driver with. For {@code local-cluster[N,cores,memoryMB]} (N executor JVMs on this
 * machine) it needs no Spark distribution: the executors get this JVM's class path (absolute entries) and the workers
 * a minimal Spark home layout (Spark's test mode), as measured in {@code ../shared/design/SPARK-NOTES.md}.
 */
final class SparkSetup {
    /** Java 17 module flags Spark needs on the driver JVM (Spark adds them to executors itself). */
    static final List<String> DRIVER_FLAGS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true");

    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");

    private SparkSetup() {}

    static SparkConf conf(ClusterConfig config, String appName, int threads) {
        checkDriverFlags();
        // Spark's INFO lines (hundreds per start) are for its own operators; warnings still show (slf4j-simple reads
        // a logger's level when the logger is made, so this holds for Spark's loggers, all made after this)
        for (String p : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop", "io.netty")) {
            if (System.getProperty("org.slf4j.simpleLogger.log." + p) == null) {
                System.setProperty("org.slf4j.simpleLogger.log." + p, "warn");
            }
        }
        String master = config.master();
        SparkConf conf = new SparkConf().setMaster(master).setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.executorEnv.OPT_OUT_TRACKING", "true");
        String executorJava = "-Dai.djl.offline=true -Dfile.encoding=UTF-8 -Dai.djl.pytorch.num_threads=" + threads
                + " -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn";
        if (master.startsWith("local-cluster")) {
            Matcher m = LOCAL_CLUSTER.matcher(master);
            if (!m.matches()) {
                throw new ZerorlException("--master " + master + ": write local-cluster[EXECUTORS,CORES,MEMORY_MB],"
                        + " e.g. local-cluster[2,1,1024]");
            }
            // the workers run inside this JVM and build the executor command with Spark's launcher, which wants a
            // Spark home; in test mode it takes the spark.test.home system property, and an empty layout will do
            if (System.getenv("SPARK_HOME") == null) {
                System.setProperty("spark.testing", "true");
                System.setProperty("spark.test.home", sparkHomeLayout().toString());
                conf.set("spark.testing", "true");
            }
            conf.set("spark.executor.extraClassPath", absoluteClassPath());
        }
        conf.set("spark.executor.extraJavaOptions", executorJava);
        config.conf().forEach((k, v) -> {
            if (k.equals("spark.executor.extraJavaOptions")) {
                conf.set(k, executorJava + " " + v);
            } else {
                conf.set(k, v);
            }
        });
        return conf;
    }

    /** Executors a master promises: N of local-cluster[N,...], else spark.executor.instances, else 1. */
    static int expectedExecutors(ClusterConfig config, SparkConf conf) {
        Matcher m = LOCAL_CLUSTER.matcher(config.master());
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        return conf.getInt("spark.executor.instances", 1);
    }

    private static void checkDriverFlags() {
        Module unnamed = SparkSetup.class.getModule();
        if (!Object.class.getModule().isOpen("sun.nio.ch", unnamed) || !Object.class.getModule().isOpen("java.nio", unnamed)) {
            throw new ZerorlException("Spark needs this JVM started with Java 17's module flags (./zerorl adds them"
                    + " when --master or cluster.master is given; spark-submit adds them itself): "
                    + String.join(" ", DRIVER_FLAGS));
        }
    }

    private static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                out.add(e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + File.separator + "*"
                        : Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static Path sparkHomeLayout() {
        try {
            Path home = Path.of(System.getProperty("java.io.tmpdir"), "zerorl-spark-home");
            Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
            Files.createDirectories(home.resolve("assembly/target/scala-2.13/jars"));
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local Spark home layout in " + System.getProperty("java.io.tmpdir"), e);
        }
    }
}
