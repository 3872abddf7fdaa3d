package io.zerorl.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns autograd recording off for the current thread and restores it on close. Grad mode is per
 * thread in DJL's PyTorch engine (docs/DJL-NOTES.md, hazard 5): rollout and eval threads record graphs unless
 * they say otherwise.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    public NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
