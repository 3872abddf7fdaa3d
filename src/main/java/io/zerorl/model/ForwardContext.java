package io.zerorl.model;

import ai.djl.ndarray.NDArray;

/**
 * What every layer of one forward pass shares: rotary tables, the additive attention mask, the
 * optional KV cache and the statistics MoE layers report.
 *
 * @param cos       (B, 1, T, ropeDim)
 * @param sin       (B, 1, T, ropeDim)
 * @param maskBias  (B, 1, T, S): 0 where a query may attend a key, a large negative number elsewhere
 * @param cache     null for a plain forward pass
 * @param routing   null unless the caller wants router statistics (load-balancing loss)
 * @param lora      the LoRA adapters this pass applies, or null (none attached, or switched off)
 */
public record ForwardContext(NDArray cos, NDArray sin, NDArray maskBias, KvCache cache, RoutingStats routing,
                             LoraAdapters lora) {}
