package io.zerorl.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.zerorl.util.ZerorlException;

import java.util.Locale;

/** Parses {@code --device} and {@code --dtype} values into DJL types, with errors that say what to do. */
public final class Devices {
    private Devices() {}

    /**
     * {@code cpu}, {@code gpu} (the first GPU), {@code gpu:N}, or {@code auto} (a GPU when the engine
     * sees one, else the CPU).
     */
    public static Device parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int gpus = s.equals("cpu") ? 0 : Engine.getInstance().getGpuCount();
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("gpu") || s.equals("cuda") || s.matches("(gpu|cuda):\\d+")) {
            int id = s.contains(":") ? Integer.parseInt(s.substring(s.indexOf(':') + 1)) : 0;
            if (id >= gpus) {
                throw new ZerorlException("--device " + spec + " asks for GPU " + id + " but the PyTorch engine sees "
                        + gpus + " GPU(s). DJL needs a CUDA build of libtorch: see the README section 'Running on a GPU' "
                        + "(PYTORCH_LIBRARY_PATH + PYTORCH_FLAVOR=cu128), or use --device cpu");
            }
            return Device.gpu(id);
        }
        throw new ZerorlException("Unknown device '" + spec + "'; use cpu, gpu, gpu:N or auto");
    }

    /** The memory of {@code device}: a GPU's as CUDA reports it, else the machine's physical memory. */
    public static long memoryBytes(Device device) {
        if (device.isGpu()) {
            return ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getMax();
        }
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : Long.MAX_VALUE;
    }

    /** {@code fp32}/{@code float32} or {@code fp16}/{@code float16}; bf16 is refused with the reason. */
    public static DataType dtype(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "fp32", "float32", "f32" -> DataType.FLOAT32;
            case "fp16", "float16", "f16", "half" -> DataType.FLOAT16;
            case "bf16", "bfloat16" -> throw new ZerorlException("bfloat16 compute is not available: DJL's PyTorch JNI "
                    + "has no bf16 (it aborts the JVM). Use --dtype fp16 (with fp32 master weights when training) or fp32; "
                    + "bf16 checkpoints are converted on load and export can still write bf16");
            default -> throw new ZerorlException("Unknown dtype '" + spec + "'; use fp32 or fp16");
        };
    }
}
