package io.zerorl.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicesTest {
    @Test
    void parsesDevicesAndRefusesMissingGpus() {
        assertThat(Devices.parse("cpu")).isEqualTo(Device.cpu());
        Device auto = Devices.parse("auto");
        assertThat(auto).isEqualTo(Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu());
        if (Engine.getInstance().getGpuCount() == 0) {
            assertThatThrownBy(() -> Devices.parse("gpu")).isInstanceOf(ZerorlException.class)
                    .hasMessageContaining("sees 0 GPU(s)").hasMessageContaining("--device cpu");
        }
        assertThatThrownBy(() -> Devices.parse("tpu")).hasMessageContaining("use cpu, gpu, gpu:N or auto");
    }

    @Test
    void dtypes() {
        assertThat(Devices.dtype("fp32")).isEqualTo(DataType.FLOAT32);
        assertThat(Devices.dtype("float16")).isEqualTo(DataType.FLOAT16);
        assertThatThrownBy(() -> Devices.dtype("bf16")).isInstanceOf(ZerorlException.class).hasMessageContaining("no bf16");
        assertThatThrownBy(() -> Devices.dtype("int8")).hasMessageContaining("use fp32 or fp16");
    }

    @Test
    void fp16PolicyTracksFp32OnCpu() {
        java.nio.file.Path dir = io.zerorl.TestPaths.fixture("qwen3moe-tiny");
        try (Policy p32 = Policy.load(dir, Device.cpu(), DataType.FLOAT32);
             Policy p16 = Policy.load(dir, Device.cpu(), DataType.FLOAT16);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            long[][] ids = {{57, 314, 280, 341, 338, 329, 18, 33}};
            long[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}};
            long[][] pos = Policy.positionIds(mask);
            float[] a = p32.forward(m.create(ids), m.create(mask), m.create(pos)).toFloatArray();
            float[] b = p16.forward(m.create(ids), m.create(mask), m.create(pos)).toType(DataType.FLOAT32, false).toFloatArray();
            double max = 0;
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]));
            }
            assertThat(max).isLessThan(2e-2);
        }
    }
}
