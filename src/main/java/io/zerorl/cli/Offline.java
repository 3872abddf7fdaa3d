package io.zerorl.cli;

/** Keeps DJL offline and opted out of telemetry before any DJL class is touched. */
final class Offline {
    private Offline() {}

    static void configure() {
        System.setProperty("ai.djl.offline", "true");
        // DJL reads OPT_OUT_TRACKING from the environment or this system property.
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    }
}
