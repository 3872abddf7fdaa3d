#!/usr/bin/env python3
"""The PyTorch side of scripts/bench-compare.sh: a plain-PyTorch implementation of the architectures the benchmark
compares (qwen2 dense; qwen3_moe with routed top-k experts), loading the same Hugging Face folder (config.json +
model.safetensors) that zerorl loads. No transformers needed (it is used only when importable, for one extra row).

Subcommands (each prints one JSON object on stdout):
  check   MODEL IDS_JSON LOGITS_BIN       max |logits - zerorl's logits| on zerorl's input (fp32 parity gate)
  sample  MODEL BATCH PROMPT NEW ROUNDS   KV-cached batched sampling (temperature 1): tokens/s per round
  train   MODEL BATCH PROMPT NEW ROUNDS   one micro-step: forward, token log-prob loss on completion tokens, backward,
                                          clip, AdamW: seconds per round
  hf-sample MODEL BATCH PROMPT NEW ROUNDS transformers' generate (sampling), when transformers is importable
Options via environment: ZERORL_THREADS (torch threads, default 1), BENCH_DEVICE (cpu|cuda), BENCH_DTYPE
(float32|float16).
"""
import json
import math
import os
import resource
import struct
import sys
import time

import torch
import torch.nn.functional as F

DEVICE = torch.device(os.environ.get("BENCH_DEVICE", "cpu"))
DTYPE = getattr(torch, os.environ.get("BENCH_DTYPE", "float32"))
torch.set_num_threads(int(os.environ.get("ZERORL_THREADS", "1")))

ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
             "I32": torch.int32}


def load_safetensors(folder):
    """All tensors of model.safetensors (or the shards of its index), read without the safetensors package."""
    files = []
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        files = sorted(set(json.load(open(index))["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    out = {}
    for name in files:
        # tensor by tensor, so the file is never held twice in memory
        with open(os.path.join(folder, name), "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            base = 8 + n
            for key, info in header.items():
                if key == "__metadata__":
                    continue
                start, end = info["data_offsets"]
                f.seek(base + start)
                raw = bytearray(f.read(end - start))
                dt = ST_DTYPES[info["dtype"]]
                t = torch.frombuffer(raw, dtype=dt) if end > start else torch.empty(0, dtype=dt)
                out[key] = t.reshape(info["shape"]).to(DEVICE, DTYPE if t.is_floating_point() else t.dtype).clone()
    return out


class Model:
    """Decoder-only transformer: RMSNorm, rotary (default), GQA with optional q/k/v bias and q/k norm, SwiGLU or a
    top-k routed MoE of SwiGLU experts (softmax router, optional renormalisation)."""

    def __init__(self, folder):
        self.cfg = c = json.load(open(os.path.join(folder, "config.json")))
        self.w = load_safetensors(folder)
        self.type = c["model_type"]
        self.h = c["hidden_size"]
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv = c.get("num_key_value_heads", self.heads)
        self.hd = c.get("head_dim") or self.h // self.heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.theta = c.get("rope_theta", 10000.0)
        self.tied = c.get("tie_word_embeddings", False) or "lm_head.weight" not in self.w
        self.experts = c.get("num_experts", 0)
        self.topk = c.get("num_experts_per_tok", 0)
        self.norm_topk = c.get("norm_topk_prob", False)
        self.params = [t for t in self.w.values() if t.is_floating_point()]
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, dtype=torch.float32, device=DEVICE) / self.hd))
        self.inv_freq = inv

    def rms(self, x, w):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * w

    def rope(self, x, pos):  # x [b, heads, s, d], pos [s]
        f = torch.outer(pos.float(), self.inv_freq)
        emb = torch.cat([f, f], -1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def lin(self, x, name, bias=False):
        y = x @ self.w[name + ".weight"].t()
        return y + self.w[name + ".bias"] if bias and (name + ".bias") in self.w else y

    def mlp(self, x, p):
        if self.experts == 0 or (p + "mlp.gate.weight") not in self.w:
            return self.lin(F.silu(self.lin(x, p + "mlp.gate_proj")) * self.lin(x, p + "mlp.up_proj"), p + "mlp.down_proj")
        shape = x.shape
        x = x.reshape(-1, self.h)
        probs = torch.softmax(self.lin(x, p + "mlp.gate").float(), -1)
        w, idx = probs.topk(self.topk, -1)
        if self.norm_topk:
            w = w / w.sum(-1, keepdim=True)
        w = w.to(x.dtype)
        out = torch.zeros_like(x)
        for e in range(self.experts):
            rows, slot = (idx == e).nonzero(as_tuple=True)
            if rows.numel() == 0:
                continue
            q = p + "mlp.experts.%d." % e
            xe = x[rows]
            ye = self.lin(F.silu(self.lin(xe, q + "gate_proj")) * self.lin(xe, q + "up_proj"), q + "down_proj")
            out.index_add_(0, rows, ye * w[rows, slot].unsqueeze(-1))
        return out.reshape(shape)

    def forward(self, ids, pos, cache=None, start=0):
        """ids [b, s]; pos [s]; cache: list of (k, v) preallocated [b, kv, cap, d] written at start..start+s."""
        b, s = ids.shape
        x = self.w["model.embed_tokens.weight"][ids]
        total = start + s
        mask = None
        if s > 1:  # a decoding step (s == 1) sees every key so far
            mask = torch.triu(torch.full((s, total), float("-inf"), device=DEVICE, dtype=x.dtype), diagonal=start + 1)
        for i in range(self.layers):
            p = "model.layers.%d." % i
            hN = self.rms(x, self.w[p + "input_layernorm.weight"])
            q = self.lin(hN, p + "self_attn.q_proj", True).view(b, s, self.heads, self.hd).transpose(1, 2)
            k = self.lin(hN, p + "self_attn.k_proj", True).view(b, s, self.kv, self.hd).transpose(1, 2)
            v = self.lin(hN, p + "self_attn.v_proj", True).view(b, s, self.kv, self.hd).transpose(1, 2)
            if (p + "self_attn.q_norm.weight") in self.w:
                q = self.rms(q, self.w[p + "self_attn.q_norm.weight"])
                k = self.rms(k, self.w[p + "self_attn.k_norm.weight"])
            q, k = self.rope(q, pos), self.rope(k, pos)
            if cache is not None:
                ck, cv = cache[i]
                ck[:, :, start:total] = k
                cv[:, :, start:total] = v
                k, v = ck[:, :, :total], cv[:, :, :total]
            # grouped-query attention without copying K/V: each KV head serves its group of query heads
            rep = self.heads // self.kv
            qg = q.reshape(b, self.kv, rep * s, self.hd)
            att = (qg @ k.transpose(-1, -2)) / math.sqrt(self.hd)
            if s > 1:
                att = (att.view(b, self.kv, rep, s, total) + mask).view(b, self.kv, rep * s, total)
            o = (torch.softmax(att, -1) @ v).view(b, self.heads, s, self.hd)
            o = o.transpose(1, 2).reshape(b, s, self.heads * self.hd)
            x = x + self.lin(o, p + "self_attn.o_proj")
            x = x + self.mlp(self.rms(x, self.w[p + "post_attention_layernorm.weight"]), p)
        x = self.rms(x, self.w["model.norm.weight"])
        return x

    def logits(self, hidden):
        head = self.w["model.embed_tokens.weight"] if self.tied else self.w["lm_head.weight"]
        return hidden @ head.t()

    def new_cache(self, b, cap):
        return [(torch.zeros(b, self.kv, cap, self.hd, device=DEVICE, dtype=DTYPE),
                 torch.zeros(b, self.kv, cap, self.hd, device=DEVICE, dtype=DTYPE)) for _ in range(self.layers)]


def sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def prompts(vocab, batch, length, seed=3):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (batch, length), generator=g).to(DEVICE)


@torch.no_grad()
def sample(m, batch, plen, new, seed=1):
    ids = prompts(m.cfg["vocab_size"], batch, plen)
    cache = m.new_cache(batch, plen + new)
    torch.manual_seed(seed)
    h = m.forward(ids, torch.arange(plen, device=DEVICE), cache, 0)
    logits = m.logits(h[:, -1])
    for t in range(new):
        probs = torch.softmax(logits.float(), -1)
        nxt = torch.multinomial(probs, 1)
        if t == new - 1:
            break
        h = m.forward(nxt, torch.tensor([plen + t], device=DEVICE), cache, plen + t)
        logits = m.logits(h[:, -1])
    sync()
    return batch * new


def train_step(m, opt, batch, plen, new):
    ids = prompts(m.cfg["vocab_size"], batch, plen + new, seed=5)
    adv = torch.tensor([1.0 if i % 2 == 0 else -1.0 for i in range(batch)], device=DEVICE)
    opt.zero_grad(set_to_none=True)
    h = m.forward(ids, torch.arange(plen + new, device=DEVICE))
    logits = m.logits(h[:, plen - 1:-1]).float()
    logp = torch.log_softmax(logits, -1).gather(-1, ids[:, plen:].unsqueeze(-1)).squeeze(-1)
    ratio = torch.exp(logp - logp.detach())
    loss = -(ratio * adv.unsqueeze(-1)).mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.params, 1.0)
    opt.step()
    sync()
    return float(loss)


def peak_mb():
    if DEVICE.type == "cuda":
        return torch.cuda.max_memory_reserved() / 2 ** 20  # the allocator's pool, as zerorl's figure
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def warm_up(fn):
    """The same rule as zerorl's side: for at least 3 s, until two consecutive rounds agree within 5% (at least 3
    rounds, at most 60 s)."""
    start, prev, n = time.perf_counter(), float("nan"), 0
    while n < 1000 and time.perf_counter() - start < 60:
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        t = time.perf_counter() - t0
        n += 1
        if n >= 3 and time.perf_counter() - start >= 3 and abs(t - prev) <= 0.05 * min(t, prev):
            break
        prev = t
    return n


MIN_ROUND_SECONDS = 0.5  # the same rule as zerorl's side: a timed round lasts at least this long


def timed(fn, rounds):
    """Seconds per run, one figure per round; a round repeats the run until it lasts MIN_ROUND_SECONDS (the number
    of repeats from one more untimed run) and reports the mean."""
    warm_up(fn)
    sync()
    t0 = time.perf_counter()
    fn()
    sync()
    once = time.perf_counter() - t0
    repeats = int(max(1, min(1000, math.ceil(MIN_ROUND_SECONDS / max(once, 1e-6)))))
    out = []
    for _ in range(rounds):
        sync()
        t0 = time.perf_counter()
        for _ in range(repeats):
            fn()
        sync()
        out.append((time.perf_counter() - t0) / repeats)
    return out


def blas():
    """The BLAS library this process mapped (Debian's torch takes whichever libblas.so.3 is selected)."""
    try:
        for line in open("/proc/self/maps"):
            if "blas" in line or "mkl" in line:
                return os.path.basename(os.path.dirname(line.split()[-1])) + "/" + os.path.basename(line.split()[-1])
    except OSError:
        pass
    return "built in"


def main():
    cmd, folder = sys.argv[1], sys.argv[2]
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": str(DEVICE),
            "dtype": str(DTYPE).replace("torch.", ""), "blas": blas()}
    if cmd == "check":
        m = Model(folder)
        ref = json.load(open(sys.argv[3]))
        ids = torch.tensor(ref["input_ids"], device=DEVICE)
        with torch.no_grad():
            logits = m.logits(m.forward(ids, torch.arange(ids.shape[1], device=DEVICE))).float().cpu()
        theirs = torch.frombuffer(bytearray(open(sys.argv[4], "rb").read()), dtype=torch.float32).reshape(logits.shape)
        info["max_abs_diff"] = float((logits - theirs).abs().max())
        print(json.dumps(info))
        return
    batch, plen, new, rounds = (int(a) for a in sys.argv[3:7])
    if cmd == "sample":
        m = Model(folder)
        times = timed(lambda: sample(m, batch, plen, new), rounds)
        info.update(seconds=times, tokens=batch * new, peak_mb=peak_mb())
    elif cmd == "train":
        m = Model(folder)
        for t in m.params:
            t.requires_grad_(True)
        opt = torch.optim.AdamW(m.params, lr=1e-5, weight_decay=0.01)
        times = timed(lambda: train_step(m, opt, batch, plen, new), rounds)
        info.update(seconds=times, rows=batch, peak_mb=peak_mb())
    elif cmd == "hf-sample":
        try:
            import transformers
        except ImportError:
            info["skipped"] = "transformers is not importable here"
            print(json.dumps(info))
            return
        model = transformers.AutoModelForCausalLM.from_pretrained(folder, torch_dtype=DTYPE).to(DEVICE)
        ids = prompts(model.config.vocab_size, batch, plen)

        def run():
            with torch.no_grad():
                model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=True, temperature=1.0, top_k=0,
                               top_p=1.0, max_new_tokens=new, min_new_tokens=new, pad_token_id=0)
        times = timed(run, rounds)
        info.update(seconds=times, tokens=batch * new, peak_mb=peak_mb(), transformers=transformers.__version__)
    else:
        raise SystemExit("unknown subcommand " + cmd)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
