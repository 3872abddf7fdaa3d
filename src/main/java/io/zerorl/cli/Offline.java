package io.zerorl.cli;

/**
 * Settings every run needs before any DJL class is touched: DJL offline and opted out of telemetry, and the log at
 * warnings. DJL probes for a GPU whenever the engine starts; on a machine with a CUDA runtime but no usable driver
 * the probe logs "Failed to detect GPU count: CUDA driver version is insufficient ..." several times, a warning
 * about hardware nobody asked for. That one logger is set to errors only: a run that does ask for a GPU
 * ({@code --device gpu}) still fails with our own message saying that PyTorch sees no GPU and what to do.
 */
final class Offline {
    /** The slf4j-simple logger of DJL's GPU probe. */
    static final String GPU_PROBE_LOGGER = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";

    private Offline() {}

    static void configure() {
        System.setProperty("ai.djl.offline", "true");
        // DJL reads OPT_OUT_TRACKING from the environment or this system property.
        System.setProperty("OPT_OUT_TRACKING", "true");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setIfAbsent(GPU_PROBE_LOGGER, "error");
    }

    private static void setIfAbsent(String key, String value) {
        System.setProperty(key, System.getProperty(key, value));
    }
}
