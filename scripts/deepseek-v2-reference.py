#!/usr/bin/env python3
"""Reference logits for the deepseek_v2 parity test, from an independent NumPy forward pass.

The shared fixtures have no deepseek_v2 checkpoint and this machine has no PyTorch, so the oracle is a
plain NumPy transcription of transformers' DeepSeek modelling code (float32 throughout):

  * --check-v3: runs the deepseek_v3 path on ../shared/fixtures/hf-tiny/deepseekv3-tiny and compares with
    the logits and greedy tokens that transformers stored there. This validates everything V2 shares with
    V3 (MLA with q/kv low rank, decoupled rope dims, shared experts, first dense layer, the expert MLPs).
  * default: writes the deepseek_v2 reference for the same weights without e_score_correction_bias, for
    each routing variant V2 has: softmax router, top-k by "greedy" or "group_limited_greedy" (a group's
    score is its best expert), weights = routing probabilities x routed_scaling_factor, no renormalisation;
    rotary applied as complex multiplication of adjacent pairs, as transformers' deepseek_v2 does.

Usage (from the project root; needs only numpy):
  python3 scripts/deepseek-v2-reference.py --check-v3
  python3 scripts/deepseek-v2-reference.py > src/test/resources/deepseek-v2-reference.json
"""
import argparse
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "hf-tiny" / "deepseekv3-tiny"
NEW_TOKENS = 12
# The deepseek_v2 variants the Java test builds from the v3 fixture's weights (keys replaced in its config).
V2_VARIANTS = {
    "group_limited_greedy": {"topk_method": "group_limited_greedy", "n_group": 2, "topk_group": 1,
                             "routed_scaling_factor": 2.5},
    "greedy": {"topk_method": "greedy", "n_group": 1, "topk_group": 1, "routed_scaling_factor": 1.0},
}


def read_safetensors(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise SystemExit(f"{name}: only F32 is handled here, got {meta['dtype']}")
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(meta["shape"]).astype(np.float32)
    return out


def rms_norm(x, w, eps):
    var = np.mean(x.astype(np.float32) ** 2, axis=-1, keepdims=True)
    return (w * (x / np.sqrt(var + np.float32(eps)))).astype(np.float32)


def silu(x):
    return x / (1.0 + np.exp(-x))


def mlp(x, prefix, w):
    g = x @ w[prefix + "gate_proj.weight"].T
    u = x @ w[prefix + "up_proj.weight"].T
    return (silu(g) * u) @ w[prefix + "down_proj.weight"].T


def rope_v3(x, cos, sin):
    """transformers' apply_rotary_pos_emb_interleave: de-interleave, then rotate_half."""
    b, h, t, d = x.shape
    x = x.reshape(b, h, t, d // 2, 2).transpose(0, 1, 2, 4, 3).reshape(b, h, t, d)
    half = d // 2
    rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * cos[:, None] + rot * sin[:, None]


def rope_v2(x, angles):
    """transformers' deepseek_v2 apply_rotary_emb: adjacent pairs as complex numbers times e^(i*angle)."""
    b, h, t, d = x.shape
    pairs = x.reshape(b, h, t, d // 2, 2)
    re, im = pairs[..., 0], pairs[..., 1]
    c, s = np.cos(angles)[:, None], np.sin(angles)[:, None]
    out = np.stack([re * c - im * s, re * s + im * c], axis=-1)
    return out.reshape(b, h, t, d).astype(np.float32)


def keep_best_groups(scores, group_scores, cfg):
    """Zero every expert outside the topk_group best groups (transformers' masked_fill(..., 0.0))."""
    n, g = group_scores.shape
    keep = np.argsort(-group_scores, axis=-1, kind="stable")[:, :cfg["topk_group"]]
    mask = np.zeros((n, g), dtype=bool)
    np.put_along_axis(mask, keep, True, axis=1)
    return np.where(np.repeat(mask, scores.shape[1] // g, axis=1), scores, 0.0)


def route_v3(x, w, prefix, cfg):
    logits = x @ w[prefix + "gate.weight"].T
    scores = 1.0 / (1.0 + np.exp(-logits))
    choice = scores + w[prefix + "gate.e_score_correction_bias"]
    n, e = choice.shape
    g = cfg["n_group"]
    masked = keep_best_groups(choice, np.sort(choice.reshape(n, g, e // g), axis=-1)[..., -2:].sum(-1), cfg)
    idx = np.argsort(-masked, axis=-1, kind="stable")[:, :cfg["num_experts_per_tok"]]
    weights = np.take_along_axis(scores, idx, axis=1)
    if cfg.get("norm_topk_prob", True):
        weights = weights / (weights.sum(-1, keepdims=True) + 1e-20)
    return idx, weights * cfg["routed_scaling_factor"]


def route_v2(x, w, prefix, cfg):
    logits = x @ w[prefix + "gate.weight"].T
    z = logits - logits.max(-1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    n, e = probs.shape
    if cfg["topk_method"] == "greedy":
        masked = probs
    else:
        masked = keep_best_groups(probs, probs.reshape(n, cfg["n_group"], -1).max(-1), cfg)
    idx = np.argsort(-masked, axis=-1, kind="stable")[:, :cfg["num_experts_per_tok"]]
    weights = np.take_along_axis(masked, idx, axis=1)
    return idx, weights * cfg["routed_scaling_factor"]


def moe(x, w, prefix, cfg, v2):
    b, t, hdim = x.shape
    flat = x.reshape(-1, hdim)
    idx, weights = (route_v2 if v2 else route_v3)(flat, w, prefix, cfg)
    out = np.zeros_like(flat)
    for row in range(flat.shape[0]):
        for j in range(idx.shape[1]):
            ex = int(idx[row, j])
            out[row] += weights[row, j] * mlp(flat[row:row + 1], f"{prefix}experts.{ex}.", w)[0]
    out = out.reshape(b, t, hdim)
    if cfg.get("n_shared_experts"):
        out = out + mlp(x, prefix + "shared_experts.", w)
    return out.astype(np.float32)


def attention(x, w, p, cfg, pos, mask, v2):
    b, t, _ = x.shape
    h = cfg["num_attention_heads"]
    nope, rope, vdim = cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
    eps = 1e-6
    if cfg.get("q_lora_rank"):
        q = rms_norm(x @ w[p + "q_a_proj.weight"].T, w[p + "q_a_layernorm.weight"], eps) @ w[p + "q_b_proj.weight"].T
    else:
        q = x @ w[p + "q_proj.weight"].T
    q = q.reshape(b, t, h, nope + rope).transpose(0, 2, 1, 3)
    q_nope, q_pe = q[..., :nope], q[..., nope:]
    ckv = x @ w[p + "kv_a_proj_with_mqa.weight"].T
    c, k_pe = ckv[..., :cfg["kv_lora_rank"]], ckv[..., cfg["kv_lora_rank"]:]
    kv = (rms_norm(c, w[p + "kv_a_layernorm.weight"], eps) @ w[p + "kv_b_proj.weight"].T)
    kv = kv.reshape(b, t, h, nope + vdim).transpose(0, 2, 1, 3)
    k_nope, v = kv[..., :nope], kv[..., nope:]
    k_pe = k_pe.reshape(b, 1, t, rope)
    inv_freq = 1.0 / (cfg["rope_theta"] ** (np.arange(0, rope, 2, dtype=np.float32) / rope))
    angles = (pos[..., None].astype(np.float32) * inv_freq).astype(np.float32)  # (b, t, rope/2)
    if v2:
        q_pe, k_pe = rope_v2(q_pe, angles), rope_v2(k_pe, angles)
    else:
        emb = np.concatenate([angles, angles], axis=-1)
        q_pe, k_pe = rope_v3(q_pe, np.cos(emb), np.sin(emb)), rope_v3(k_pe, np.cos(emb), np.sin(emb))
    k_pe = np.broadcast_to(k_pe, (b, h, t, rope))
    qs = np.concatenate([q_nope, q_pe], axis=-1)
    ks = np.concatenate([k_nope, k_pe], axis=-1)
    scores = qs @ ks.transpose(0, 1, 3, 2) * np.float32((nope + rope) ** -0.5)
    allowed = np.tril(np.ones((t, t), dtype=bool))[None] & (mask[:, None, :] == 1)  # (b, t, t)
    scores = np.where(allowed[:, None], scores, np.float32(-1e30))
    scores = scores - scores.max(-1, keepdims=True)
    probs = np.exp(scores)
    probs = probs / probs.sum(-1, keepdims=True)
    out = (probs @ v).transpose(0, 2, 1, 3).reshape(b, t, h * vdim)
    return (out @ w[p + "o_proj.weight"].T).astype(np.float32)


def forward(ids, mask, pos, w, cfg, v2):
    x = w["model.embed_tokens.weight"][ids]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        x = x + attention(rms_norm(x, w[p + "input_layernorm.weight"], cfg["rms_norm_eps"]), w, p + "self_attn.",
                          cfg, pos, mask, v2)
        hn = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
        if layer >= cfg["first_k_dense_replace"]:
            x = x + moe(hn, w, p + "mlp.", cfg, v2)
        else:
            x = x + mlp(hn, p + "mlp.", w)
    x = rms_norm(x, w["model.norm.weight"], cfg["rms_norm_eps"])
    return (x @ w["lm_head.weight"].T).astype(np.float32)


def log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def run(ref, w, cfg, v2):
    ids = np.array(ref["input_ids"])
    mask = np.array(ref["attention_mask"])
    pos = np.array(ref["position_ids"])
    logits = forward(ids, mask, pos, w, cfg, v2)
    # greedy decoding by full recomputation (equal to a KV-cached decode)
    seq, m, p = ids.copy(), mask.copy(), pos.copy()
    new_logprobs = [[] for _ in range(len(ids))]
    last = logits[:, -1]
    for s in range(NEW_TOKENS):
        nxt = last.argmax(-1)
        lp = log_softmax(last)
        for b in range(len(ids)):
            new_logprobs[b].append(float(lp[b, nxt[b]]))
        seq = np.concatenate([seq, nxt[:, None]], axis=1)
        m = np.concatenate([m, np.ones((len(ids), 1), dtype=m.dtype)], axis=1)
        p = np.concatenate([p, p[:, -1:] + 1], axis=1)
        if s < NEW_TOKENS - 1:
            last = forward(seq, m, p, w, cfg, v2)[:, -1]
    return logits, seq, new_logprobs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check-v3", action="store_true", help="validate this transcription on the v3 fixture")
    args = ap.parse_args()
    cfg = json.loads((FIXTURE / "config.json").read_text())
    ref = json.loads((FIXTURE / "reference.json").read_text())
    w = read_safetensors(FIXTURE / "model.safetensors")
    if args.check_v3:
        logits, seq, lps = run(ref, w, cfg, v2=False)
        mask = np.array(ref["attention_mask"])
        want = np.array(ref["logits"], dtype=np.float32)
        diff = np.abs(logits - want)[mask == 1].max()
        lp_diff = np.abs(np.array(lps) - np.array(ref["greedy_new_token_logprobs"])).max()
        same = seq.tolist() == ref["greedy_ids"]
        print(f"deepseek_v3 transcription vs transformers: max |logit diff| {diff:.3g}, "
              f"max |logprob diff| {lp_diff:.3g}, greedy ids equal: {same}")
        sys.exit(0 if diff < 1e-4 and lp_diff < 1e-4 and same else 1)
    out = {"note": "deepseek_v2 reference from scripts/deepseek-v2-reference.py (NumPy transcription of transformers' "
                   "deepseek_v2, validated on the deepseek_v3 fixture with --check-v3). Weights: "
                   "fixtures/hf-tiny/deepseekv3-tiny/model.safetensors without e_score_correction_bias; config: "
                   "that config.json with model_type deepseek_v2, norm_topk_prob false, no scoring_func, and the "
                   "variant's keys. Logits are stored at real (unpadded) positions only, as [batch][position][vocab], "
                   "null at padding.",
           "input_ids": ref["input_ids"], "attention_mask": ref["attention_mask"],
           "position_ids": ref["position_ids"], "variants": {}}
    mask = np.array(ref["attention_mask"])
    for name, keys in V2_VARIANTS.items():
        v2cfg = dict(cfg, **keys)
        v2cfg["norm_topk_prob"] = False
        logits, seq, lps = run(ref, w, v2cfg, v2=True)
        rows = [[[round(float(v), 6) for v in logits[b, t]] if mask[b, t] == 1 else None
                 for t in range(logits.shape[1])] for b in range(logits.shape[0])]
        out["variants"][name] = {"config": keys, "logits": rows, "greedy_ids": seq.tolist(),
                                 "greedy_new_token_logprobs": lps}
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
