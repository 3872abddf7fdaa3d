package io.zerorl.tensor;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TorchScriptTest {
    private static final String OPS = """
              def axpy(self: __torch__.TestOps,
                xs: List[Tensor],
                ys: List[Tensor],
                a: float) -> int:
                torch._foreach_add_(xs, ys, alpha=a)
                return len(xs)
              def total(self: __torch__.TestOps,
                xs: List[Tensor]) -> Tensor:
                return torch.stack([torch.sum(x) for x in xs]).sum()
            """;

    @Test
    void compiledMethodsRunTorchOpsInPlaceOverLists() {
        TorchScript ts = TorchScript.of("TestOps", OPS);
        assertThat(TorchScript.of("TestOps", OPS)).as("compiled once per source").isSameAs(ts);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x1 = m.arange(0f, 4f);
            NDArray x2 = m.ones(new Shape(2, 2));
            NDArray y1 = m.ones(new Shape(4));
            NDArray y2 = m.arange(0f, 4f).reshape(2, 2);
            try (IValue n = ts.call("axpy", TorchScript.tensors(List.of(x1, x2)), TorchScript.tensors(List.of(y1, y2)),
                    TorchScript.number(0.5))) {
                assertThat(n.toLong()).isEqualTo(2);
            }
            assertThat(x1.toFloatArray()).containsExactly(0.5f, 1.5f, 2.5f, 3.5f);
            assertThat(x2.toFloatArray()).containsExactly(1f, 1.5f, 2f, 2.5f);
            try (IValue t = ts.call("total", TorchScript.tensors(List.of(x1, x2)))) {
                assertThat(t.toTensor((ai.djl.pytorch.engine.PtNDManager) m).getFloat()).isEqualTo(15f);
            }
        }
    }

    @Test
    void sourceThatDoesNotCompileFailsWithLibtorchsMessage() {
        assertThatThrownBy(() -> TorchScript.of("Broken", """
                  def f(self: __torch__.Broken,
                    x: Tensor) -> Tensor:
                    return torch.no_such_op(x)
                """)).isInstanceOf(EngineException.class).hasMessageContaining("no_such_op");
    }
}
