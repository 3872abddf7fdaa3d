package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.Devices;
import picocli.CommandLine.Option;

/**
 * {@code --device}, {@code --dtype} and {@code --threads}, one vocabulary for every command that computes with a
 * model (a picocli mixin; {@link ModelOptions} adds the model and the seed). Parsed by {@link Devices} and
 * {@link Threads}, nowhere else.
 */
final class ComputeOptions {
    @Option(names = "--device", defaultValue = "auto",
            description = "cpu, gpu, gpu:N, or auto: a GPU when PyTorch sees one, else the CPU (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", defaultValue = "fp32",
            description = "Compute dtype: fp32 (float32) or fp16 (float16); bf16 is not available in DJL"
                    + " (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--threads", description = "PyTorch CPU threads (default: $ZERORL_THREADS, else 1; on a shared or"
            + " small CPU one thread is often fastest, and results are bit-reproducible at a fixed count).")
    Integer threads;

    /** Sets the thread count; call before the first tensor is made. */
    void applyThreads() {
        Threads.configure(threads);
    }

    /** The device; applies --threads first, since looking for a GPU starts the engine. */
    Device device() {
        applyThreads();
        return Devices.parse(device);
    }

    DataType dtype() {
        return Devices.dtype(dtype);
    }
}
