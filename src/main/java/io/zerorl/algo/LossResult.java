package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * The scalar loss to call backward on, and metrics of this (micro-)batch (token-masked means; see
 * {@link GrpoLoss} for names). Metrics are plain doubles read without gradient.
 */
public record LossResult(NDArray loss, Map<String, Double> metrics) {}
