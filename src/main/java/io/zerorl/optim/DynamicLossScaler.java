package io.zerorl.optim;

import ai.djl.ndarray.NDArray;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.ZerorlException;

import java.util.Collection;

/**
 * Dynamic loss scaling for float16 training, with torch.amp.GradScaler's policy: multiply the loss by S before
 * backward, divide the gradients by S, skip the step and multiply S by the backoff factor when any gradient is
 * inf/NaN, and multiply S by the growth factor after {@code growthInterval} consecutive finite steps.
 * <pre>
 *   backward(scaler.scaleLoss(loss))            // per micro-batch
 *   boolean finite = scaler.unscale(params);    // grads /= S, checks inf/NaN
 *   double norm = Grads.clipGlobalNorm(params, maxNorm);
 *   if (finite) optimizer.step(lr);
 *   scaler.update(finite);
 *   optimizer.zeroGrad();
 * </pre>
 */
public final class DynamicLossScaler {
    /** Everything needed to resume: the scale and the count of finite steps since the last change. */
    public record State(double scale, int goodSteps) {}

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private double scale;
    private int goodSteps;

    /** torch defaults: 2^16, x2 every 2000 finite steps, x0.5 on overflow. */
    public static DynamicLossScaler defaults() {
        return new DynamicLossScaler(65536, 2, 0.5, 2000);
    }

    public DynamicLossScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1) {
            throw new ZerorlException("loss scaler needs init_scale > 0, growth_factor > 1, backoff_factor in (0, 1)"
                    + " and growth_interval >= 1; got " + initScale + ", " + growthFactor + ", " + backoffFactor
                    + ", " + growthInterval);
        }
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    public double scale() {
        return scale;
    }

    /** loss * S with a torch-owned constant, safe to differentiate (docs/DJL-NOTES.md, hazard 2). */
    public NDArray scaleLoss(NDArray loss) {
        return loss.mul(Scalars.like(loss, scale));
    }

    /** Divides gradients by S in place; returns false if any gradient is inf/NaN (then skip the step). */
    public boolean unscale(Collection<NDArray> params) {
        Grads.scale(params, 1 / scale); // inf and NaN stay non-finite
        return Grads.allFinite(params);
    }

    /** As {@link #unscale} for gradients held apart from their parameters ({@link GradientBuffer}). */
    public boolean unscaleGradients(java.util.List<NDArray> grads) {
        Grads.scaleAll(grads, 1 / scale);
        return Grads.allFiniteOf(grads);
    }

    /** Adjusts S after a step attempt ({@code finite} = the gradients were usable and the step was taken). */
    public void update(boolean finite) {
        if (!finite) {
            scale *= backoffFactor;
            goodSteps = 0;
        } else if (++goodSteps >= growthInterval) {
            scale *= growthFactor;
            goodSteps = 0;
        }
    }

    public State state() {
        return new State(scale, goodSteps);
    }

    public void load(State s) {
        scale = s.scale();
        goodSteps = s.goodSteps();
    }
}
