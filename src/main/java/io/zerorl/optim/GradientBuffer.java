package io.zerorl.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import io.zerorl.tensor.TorchScript;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradients held by zerorl rather than in the parameters' own {@code .grad}: each backward runs through
 * {@code torch.autograd.grad}, the first micro-batch's gradients are kept as they come and later ones are added to
 * them, and {@link #clear} frees them after the optimizer step.
 *
 * <p>Why: DJL's JNI can zero a parameter's gradient but not drop it, so with {@code .grad} every gradient buffer stays
 * allocated from the first step on: the next forward pass holds all gradients beside its activations, and each backward
 * adds into zeroed buffers (a pass over every gradient). This is what {@code zero_grad(set_to_none=True)} gives PyTorch.
 * The values are the same: autograd sums a parameter's contributions in the same order, and adding to zero is exact.
 * A parameter outside a loss's graph (a routed expert no token reached) gets a zero gradient, as its own {@code .grad}
 * held before (PyTorch would skip it): a GRPO run gives the same bits either way.
 */
public final class GradientBuffer implements AutoCloseable {
    /**
     * The backward and the sum into what is held, in one call. Tensors made inside a TorchScript call are inference
     * tensors here (DJL runs modules in inference mode), which may be changed in place only inside such a call: the
     * adding happens here too. A parameter outside the graph gets zeros the first time.
     */
    private static final String BACKWARD = """
              def accumulate(self: __torch__.GradientBuffer,
                loss: Tensor,
                params: List[Tensor],
                held: List[Tensor],
                present: List[bool]) -> List[Tensor]:
                grads = torch.autograd.grad([loss], params, None, None, False, True)
                out = annotate(List[Tensor], [])
                for i in range(torch.len(params)):
                  g = grads[i]
                  if present[i]:
                    h = held[i]
                    if g is not None:
                      h.add_(g)
                    out.append(h)
                  else:
                    if g is None:
                      out.append(torch.zeros_like(params[i]))
                    else:
                      out.append(g)
                return out
            """;

    private final List<String> names;
    private final List<NDArray> params;
    private final NDManager manager;
    private final Map<String, NDArray> grads = new LinkedHashMap<>();

    /** @param params the parameters to differentiate (leaves that require gradients), by name */
    public GradientBuffer(Map<String, NDArray> params) {
        this.names = new ArrayList<>(params.keySet());
        this.params = new ArrayList<>(params.values());
        this.manager = NDManager.newBaseManager(this.params.get(0).getDevice());
    }

    /** Backward of {@code loss} (a scalar recorded with grad mode on), added to what the buffer holds. */
    public void accumulate(NDArray loss) {
        List<NDArray> held = new ArrayList<>(names.size());
        boolean[] present = new boolean[names.size()];
        for (int i = 0; i < names.size(); i++) {
            NDArray h = grads.get(names.get(i));
            present[i] = h != null;
            held.add(h != null ? h : params.get(i)); // a placeholder where nothing is held (not read)
        }
        try (IValue out = TorchScript.of("GradientBuffer", BACKWARD).call("accumulate", TorchScript.tensor(loss),
                TorchScript.tensors(params), TorchScript.tensors(held), IValue.listFrom(present))) {
            NDArray[] each = out.toTensorArray((PtNDManager) manager);
            grads.values().forEach(NDArray::close); // the same tensors come back as new handles
            grads.clear();
            for (int i = 0; i < each.length; i++) {
                NDScope.unregister(each[i]); // the buffer owns it until clear(), whatever scope the caller has open
                grads.put(names.get(i), each[i]);
            }
        }
    }

    /** The gradients held, by parameter name: every parameter once a backward ran (zeros outside its graph). */
    public Map<String, NDArray> gradients() {
        return grads;
    }

    public List<NDArray> list() {
        return new ArrayList<>(grads.values());
    }

    public boolean isEmpty() {
        return grads.isEmpty();
    }

    /** Frees every gradient (after the optimizer step). */
    public void clear() {
        grads.values().forEach(NDArray::close);
        grads.clear();
    }

    @Override
    public void close() {
        clear();
        manager.close();
    }
}
