#!/usr/bin/python3
"""Plain, idiomatic PyTorch baseline for TEFT's MoE engine.

Loads a Hugging Face model folder (config.json + model.safetensors or sharded with
model.safetensors.index.json) of the families qwen3_moe, qwen2_moe, olmoe and mixtral, following
the transformers modeling code's semantics (eager attention, per-expert dispatch), without
transformers itself (Debian's python3-torch only).

Modes:
  forward DIR --input-ids IDS.json --out OUT.safetensors [--dtype fp32|bf16] [--router-probs]
      Writes `logits` [B,T,V] F32 and, per MoE layer l, `routing.l.ids` [B,T,k] I64 and
      `routing.l.weights` [B,T,k] F32 (the top-k weights after renormalisation, before the cast
      to the compute dtype) -- the same tensors `teft model forward` writes.
  bench DIR --experts SEL.json --batch B --seq T --steps S [--threads N] [--dtype bf16|fp32]
      ESFT-style: every expert present, only the selected experts ({"layer": [experts]})
      trainable, everything else frozen; AdamW on the trainable parameters. Prints JSON with
      forward and training-step tokens/s and the peak resident memory.
  selftest
      Checks the building blocks against naive per-token computations.
"""

import argparse
import json
import math
import os
import re
import resource
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------
# safetensors (huggingface/safetensors format), read without mmap so that resident memory holds
# the parameters once, as transformers does after loading.

ST_DTYPES = {
    "BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16,
    "I32": torch.int32, "I64": torch.int64, "F16": torch.float16, "BF16": torch.bfloat16,
    "F32": torch.float32, "F64": torch.float64,
}
ST_NAMES = {v: k for k, v in ST_DTYPES.items()}


def read_safetensors_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if n > 100_000_000:
            raise ValueError(f"{path}: header length {n} exceeds 100,000,000")
        header = json.loads(f.read(n).decode("utf-8"))
    return 8 + n, header


def load_safetensors(path, names=None):
    """Returns {name: tensor} (owned, writable CPU tensors)."""
    data_start, header = read_safetensors_header(path)
    out = {}
    with open(path, "rb") as f:
        for name, entry in header.items():
            if name == "__metadata__" or (names is not None and name not in names):
                continue
            dtype = ST_DTYPES[entry["dtype"]]
            begin, end = entry["data_offsets"]
            raw = torch.empty(end - begin, dtype=torch.uint8)
            f.seek(data_start + begin)
            if end > begin and f.readinto(raw.numpy()) != end - begin:
                raise ValueError(f"{path}: tensor {name} is truncated")
            out[name] = raw.view(dtype).reshape(entry["shape"])
    return out


def save_safetensors(path, tensors, metadata=None):
    meta = {"format": "pt"}
    meta.update(metadata or {})
    header = {"__metadata__": meta}
    offset = 0
    items = [(k, v.detach().cpu().contiguous()) for k, v in tensors.items()]
    for name, t in items:
        size = t.numel() * t.element_size()
        header[name] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, t in items:
            if t.numel():
                f.write(t.reshape(-1).view(torch.uint8).numpy().tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------
# Configuration

class MoeConfig:
    FAMILIES = ("qwen3_moe", "qwen2_moe", "olmoe", "mixtral")

    def __init__(self, cfg):
        self.model_type = cfg["model_type"]
        if self.model_type not in self.FAMILIES:
            raise ValueError(f"model_type {self.model_type!r} is not supported by this baseline")
        self.hidden_size = cfg["hidden_size"]
        self.num_layers = cfg["num_hidden_layers"]
        self.num_heads = cfg["num_attention_heads"]
        self.num_kv_heads = cfg.get("num_key_value_heads", self.num_heads)
        self.head_dim = cfg.get("head_dim") or self.hidden_size // self.num_heads
        self.vocab_size = cfg["vocab_size"]
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.tie = cfg.get("tie_word_embeddings", False)
        act = cfg.get("hidden_act", "silu")
        if act != "silu":
            raise ValueError(f"hidden_act {act!r} is not supported")
        rope = cfg.get("rope_parameters") or {}
        self.rope_theta = rope.get("rope_theta", cfg.get("rope_theta", 10000.0))
        scaling = rope if rope else (cfg.get("rope_scaling") or {})
        rope_type = scaling.get("rope_type", scaling.get("type", "default"))
        if rope_type != "default":
            raise ValueError(f"rope type {rope_type!r} is not supported by this baseline")
        if self.model_type == "mixtral":
            self.num_experts = cfg["num_local_experts"]
            self.expert_size = cfg["intermediate_size"]
            self.norm_topk = True
        else:
            self.num_experts = cfg["num_experts"]
            self.expert_size = cfg["moe_intermediate_size"] if "moe_intermediate_size" in cfg \
                else cfg["intermediate_size"]
            self.norm_topk = cfg.get("norm_topk_prob", False)
        self.top_k = cfg["num_experts_per_tok"]
        self.intermediate_size = cfg.get("intermediate_size", self.expert_size)
        self.sparse_step = cfg.get("decoder_sparse_step", 1)
        self.mlp_only_layers = set(cfg.get("mlp_only_layers", []) or [])
        self.shared_expert_size = cfg.get("shared_expert_intermediate_size", 0) \
            if self.model_type == "qwen2_moe" else 0
        self.attention_bias = cfg.get("attention_bias", self.model_type == "qwen2_moe")
        self.clip_qkv = cfg.get("clip_qkv") if self.model_type == "olmoe" else None
        self.sliding_window = cfg.get("sliding_window") if self.model_type == "mixtral" else None
        self.aux_coef = cfg.get("router_aux_loss_coef", 0.001)

    def is_moe_layer(self, i):
        if self.model_type in ("mixtral", "olmoe"):
            return True
        return i not in self.mlp_only_layers and self.num_experts > 0 \
            and (i + 1) % self.sparse_step == 0


# ----------------------------------------------------------------------------------------------
# Model

class RMSNorm(nn.Module):
    def __init__(self, size, eps, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size, device=device))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(positions, head_dim, theta, dtype):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


class Attention(nn.Module):
    def __init__(self, c, device=None):
        super().__init__()
        self.c = c
        h, hd = c.hidden_size, c.head_dim
        self.q_proj = nn.Linear(h, c.num_heads * hd, bias=c.attention_bias, device=device)
        self.k_proj = nn.Linear(h, c.num_kv_heads * hd, bias=c.attention_bias, device=device)
        self.v_proj = nn.Linear(h, c.num_kv_heads * hd, bias=c.attention_bias, device=device)
        self.o_proj = nn.Linear(c.num_heads * hd, h, bias=False, device=device)
        if c.model_type == "qwen3_moe":
            self.q_norm = RMSNorm(hd, c.eps, device)
            self.k_norm = RMSNorm(hd, c.eps, device)
        elif c.model_type == "olmoe":
            self.q_norm = RMSNorm(c.num_heads * hd, c.eps, device)
            self.k_norm = RMSNorm(c.num_kv_heads * hd, c.eps, device)

    def forward(self, x, cos, sin, mask):
        c = self.c
        b, t, _ = x.shape
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        if c.model_type == "olmoe":
            q, k = self.q_norm(q), self.k_norm(k)
            if c.clip_qkv is not None:
                q, k, v = (z.clamp(-c.clip_qkv, c.clip_qkv) for z in (q, k, v))
        q = q.view(b, t, c.num_heads, c.head_dim)
        k = k.view(b, t, c.num_kv_heads, c.head_dim)
        v = v.view(b, t, c.num_kv_heads, c.head_dim).transpose(1, 2)
        if c.model_type == "qwen3_moe":
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = c.num_heads // c.num_kv_heads
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(c.head_dim) + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(out)


class Mlp(nn.Module):
    def __init__(self, hidden, inner, device=None):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, inner, bias=False, device=device)
        self.up_proj = nn.Linear(hidden, inner, bias=False, device=device)
        self.down_proj = nn.Linear(inner, hidden, bias=False, device=device)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class MixtralExpert(nn.Module):
    """Mixtral's expert: w1 = gate, w3 = up, w2 = down."""

    def __init__(self, hidden, inner, device=None):
        super().__init__()
        self.w1 = nn.Linear(hidden, inner, bias=False, device=device)
        self.w3 = nn.Linear(hidden, inner, bias=False, device=device)
        self.w2 = nn.Linear(inner, hidden, bias=False, device=device)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class SparseMoe(nn.Module):
    def __init__(self, c, device=None):
        super().__init__()
        self.c = c
        self.gate = nn.Linear(c.hidden_size, c.num_experts, bias=False, device=device)
        expert = MixtralExpert if c.model_type == "mixtral" else Mlp
        self.experts = nn.ModuleList(expert(c.hidden_size, c.expert_size, device) for _ in range(c.num_experts))
        if c.shared_expert_size:
            self.shared_expert = Mlp(c.hidden_size, c.shared_expert_size, device)
            self.shared_expert_gate = nn.Linear(c.hidden_size, 1, bias=False, device=device)

    def route(self, x):
        logits = self.gate(x)
        probs = F.softmax(logits, dim=-1, dtype=torch.float)
        weights, ids = torch.topk(probs, self.c.top_k, dim=-1)
        if self.c.norm_topk:
            weights = weights / weights.sum(dim=-1, keepdim=True)
        return logits, weights, ids

    def forward(self, x):
        b, t, h = x.shape
        x = x.reshape(-1, h)
        logits, weights, ids = self.route(x)
        w = weights.to(x.dtype)
        out = torch.zeros_like(x)
        # Experts dispatched one by one on the tokens routed to them.
        hit = torch.bincount(ids.reshape(-1), minlength=self.c.num_experts)
        for e in torch.nonzero(hit).flatten().tolist():
            token, slot = torch.where(ids == e)
            y = self.experts[e](x[token]) * w[token, slot, None]
            out.index_add_(0, token, y.to(x.dtype))
        if self.c.shared_expert_size:
            out = out + torch.sigmoid(self.shared_expert_gate(x)) * self.shared_expert(x)
        return out.reshape(b, t, h), logits, weights, ids


class DecoderLayer(nn.Module):
    def __init__(self, c, i, device=None):
        super().__init__()
        self.self_attn = Attention(c, device)
        self.input_layernorm = RMSNorm(c.hidden_size, c.eps, device)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.eps, device)
        self.is_moe = c.is_moe_layer(i)
        block = SparseMoe(c, device) if self.is_moe else Mlp(c.hidden_size, c.intermediate_size, device)
        if c.model_type == "mixtral":
            self.block_sparse_moe = block
        else:
            self.mlp = block

    def moe(self):
        return getattr(self, "block_sparse_moe", None) or self.mlp

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        h = self.post_attention_layernorm(x)
        if self.is_moe:
            y, logits, weights, ids = self.moe()(h)
            return x + y, (logits, weights, ids)
        return x + self.moe()(h), None


class Backbone(nn.Module):
    def __init__(self, c, device=None):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size, device=device)
        self.layers = nn.ModuleList(DecoderLayer(c, i, device) for i in range(c.num_layers))
        self.norm = RMSNorm(c.hidden_size, c.eps, device)


class MoeForCausalLM(nn.Module):
    def __init__(self, c, device=None):
        super().__init__()
        self.c = c
        self.model = Backbone(c, device)
        if not c.tie:
            self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False, device=device)

    def forward(self, ids):
        c = self.c
        x = self.model.embed_tokens(ids)
        t = ids.shape[1]
        cos, sin = rope_cos_sin(torch.arange(t), c.head_dim, c.rope_theta, x.dtype)
        i, j = torch.arange(t)[:, None], torch.arange(t)[None, :]
        blocked = j > i
        if c.sliding_window:
            blocked = blocked | (j <= i - c.sliding_window)
        mask = torch.zeros(t, t, dtype=x.dtype).masked_fill(blocked, torch.finfo(x.dtype).min)
        routing = {}
        for i, layer in enumerate(self.model.layers):
            x, r = layer(x, cos, sin, mask)
            if r is not None:
                routing[i] = r
        x = self.model.norm(x)
        head = self.model.embed_tokens.weight if c.tie else self.lm_head.weight
        return F.linear(x, head), routing


def checkpoint_shards(model_dir):
    """[(path, names or None)] of a model folder's weight files."""
    single = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(single):
        return [(single, None)]
    with open(os.path.join(model_dir, "model.safetensors.index.json")) as f:
        weight_map = json.load(f)["weight_map"]
    return [(os.path.join(model_dir, shard), {k for k, v in weight_map.items() if v == shard})
            for shard in sorted(set(weight_map.values()))]


def load_model(model_dir, dtype):
    """Builds the model on the meta device and assigns each checkpoint tensor (cast to dtype) as
    its parameter, shard by shard, so memory holds the weights once (transformers'
    low_cpu_mem_usage path)."""
    with open(os.path.join(model_dir, "config.json")) as f:
        c = MoeConfig(json.load(f))
    model = MoeForCausalLM(c, device="meta")
    expected = dict(model.named_parameters())
    seen = set()
    for path, names in checkpoint_shards(model_dir):
        for name, t in load_safetensors(path, names).items():
            if c.tie and name == "lm_head.weight":
                continue
            if name not in expected:
                raise ValueError(f"{path}: unexpected tensor {name}")
            if tuple(t.shape) != tuple(expected[name].shape):
                raise ValueError(f"{path}: tensor {name} has shape {list(t.shape)}, "
                                 f"expected {list(expected[name].shape)}")
            owner, attr = name.rsplit(".", 1)
            setattr(model.get_submodule(owner), attr, nn.Parameter(t.to(dtype), requires_grad=False))
            seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise ValueError(f"{model_dir}: missing tensors {missing[:5]}")
    return model


def aux_loss(router_logits, top_k, num_experts):
    """transformers' load_balancing_loss_func (no padding mask)."""
    logits = torch.cat([l.float() for l in router_logits], dim=0)
    probs = F.softmax(logits, dim=-1)
    _, selected = torch.topk(probs, top_k, dim=-1)
    mask = F.one_hot(selected, num_experts).float()
    tokens_per_expert = mask.mean(dim=0)
    prob_per_expert = probs.mean(dim=0)
    return num_experts * torch.sum(tokens_per_expert * prob_per_expert.unsqueeze(0))


# ----------------------------------------------------------------------------------------------
# Modes

def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def parse_dtype(name):
    return {"fp32": torch.float32, "f32": torch.float32, "float32": torch.float32, "bf16": torch.bfloat16,
            "bfloat16": torch.bfloat16}[name]


def run_forward(args):
    model = load_model(args.model, parse_dtype(args.dtype))
    model.eval()
    with open(args.input_ids) as f:
        rows = json.load(f)
    if not rows or not all(isinstance(r, list) and r for r in rows):
        raise ValueError(f"{args.input_ids}: expected [[ids...], ...]")
    b, t = len(rows), max(len(r) for r in rows)
    k = model.c.top_k
    logits = torch.zeros(b, t, model.c.vocab_size)
    routing, router_probs = {}, {}
    # Rows are run one by one so that ragged inputs need no padding semantics; positions past a
    # row's end stay 0 (logits, weights) and -1 (ids).
    with torch.no_grad():
        for i, row in enumerate(rows):
            out, r = model(torch.tensor([row], dtype=torch.int64))
            logits[i, :len(row)] = out[0].float()
            for layer, (router_logits, weights, ids) in r.items():
                if layer not in routing:
                    routing[layer] = (torch.full((b, t, k), -1, dtype=torch.int64), torch.zeros(b, t, k))
                    router_probs[layer] = torch.zeros(b, t, model.c.num_experts)
                routing[layer][0][i, :len(row)] = ids.reshape(len(row), k)
                routing[layer][1][i, :len(row)] = weights.reshape(len(row), k).float()
                router_probs[layer][i, :len(row)] = F.softmax(router_logits.float(), dim=-1)
    tensors = {"logits": logits}
    for layer, (ids, weights) in sorted(routing.items()):
        tensors[f"routing.{layer}.ids"] = ids
        tensors[f"routing.{layer}.weights"] = weights
        if args.router_probs:
            tensors[f"router.{layer}.probs"] = router_probs[layer]
    save_safetensors(args.out, tensors, {"producer": "bench/pytorch_moe.py"})


def select_trainable(model, selection):
    for p in model.parameters():
        p.requires_grad_(False)
    trainable = []
    for layer_key, experts in selection.items():
        layer = model.model.layers[int(layer_key)]
        if not layer.is_moe:
            raise ValueError(f"layer {layer_key} has no experts")
        for e in experts:
            for p in layer.moe().experts[int(e)].parameters():
                p.requires_grad_(True)
                trainable.append(p)
    return trainable


def run_bench(args):
    torch.manual_seed(args.seed)
    dtype = parse_dtype(args.dtype)
    t0 = time.perf_counter()
    model = load_model(args.model, dtype)
    load_s = time.perf_counter() - t0
    rss_loaded = peak_rss_bytes()
    selection = json.loads(open(args.experts).read()) if os.path.exists(args.experts) else json.loads(args.experts)
    trainable = select_trainable(model, selection)
    c = model.c
    tokens = args.batch * args.seq
    ids = torch.randint(0, c.vocab_size, (args.batch, args.seq + 1))
    inputs, labels = ids[:, :-1], ids[:, 1:]

    model.eval()
    with torch.no_grad():
        for _ in range(args.warmup):
            model(inputs)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            model(inputs)
        forward_s = (time.perf_counter() - t0) / args.steps
    rss_forward = peak_rss_bytes()

    model.train()
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.0)
    losses = []

    def step():
        logits, routing = model(inputs)
        loss = F.cross_entropy(logits.float().reshape(-1, c.vocab_size), labels.reshape(-1))
        if args.aux_loss and routing:
            loss = loss + c.aux_coef * aux_loss([r[0] for r in routing.values()], c.top_k, c.num_experts)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    train_s = (time.perf_counter() - t0) / args.steps
    result = {
        "implementation": "pytorch",
        "torch_version": torch.__version__,
        "model": args.model,
        "model_type": c.model_type,
        "dtype": args.dtype,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "seq": args.seq,
        "steps": args.steps,
        "trainable_parameters": sum(p.numel() for p in trainable),
        "total_parameters": sum(p.numel() for p in model.parameters()),
        "load_s": load_s,
        "forward_s": forward_s,
        "forward_tokens_per_s": tokens / forward_s,
        "train_step_s": train_s,
        "train_tokens_per_s": tokens / train_s,
        "peak_rss_after_load_bytes": rss_loaded,
        "peak_rss_forward_bytes": rss_forward,
        "peak_rss_bytes": peak_rss_bytes(),
        "losses": losses,
    }
    print(json.dumps(result, indent=2))


def run_selftest(args):
    """Building blocks against naive computations (random tiny qwen3_moe and qwen2_moe)."""
    torch.manual_seed(0)
    for family in ("qwen3_moe", "qwen2_moe", "olmoe", "mixtral"):
        cfg = {"model_type": family, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
               "num_key_value_heads": 2, "vocab_size": 50, "rms_norm_eps": 1e-6, "norm_topk_prob": True,
               "num_experts": 6, "num_local_experts": 6, "num_experts_per_tok": 2, "moe_intermediate_size": 16,
               "intermediate_size": 16, "shared_expert_intermediate_size": 24, "head_dim": 8,
               "tie_word_embeddings": family == "olmoe"}
        c = MoeConfig(cfg)
        model = MoeForCausalLM(c)
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0, 0.2)
        moe = model.model.layers[0].moe()
        x = torch.randn(1, 5, 32)
        y, logits, weights, ids = moe(x)
        # Naive: per token, softmax over all experts, best k, renormalise, sum of expert outputs.
        for n in range(5):
            p = torch.softmax(x[0, n] @ moe.gate.weight.t(), dim=-1)
            order = sorted(range(6), key=lambda e: -p[e].item())[:2]
            w = torch.stack([p[e] for e in order])
            w = w / w.sum()
            ref = sum(w[j] * moe.experts[e](x[0, n]) for j, e in enumerate(order))
            if c.shared_expert_size:
                ref = ref + torch.sigmoid(x[0, n] @ moe.shared_expert_gate.weight.t()) * moe.shared_expert(x[0, n])
            assert ids[n].tolist() == order, (family, ids[n], order)
            assert torch.allclose(y[0, n], ref, atol=1e-5), family
        # Causality: the first token's logits do not depend on later tokens.
        a, _ = model(torch.tensor([[1, 2, 3, 4]]))
        b, _ = model(torch.tensor([[1, 2, 9, 9]]))
        assert torch.allclose(a[0, :2], b[0, :2], atol=1e-5) and not torch.allclose(a[0, 2], b[0, 2])
        # safetensors round trip of the whole state.
        path = f"/tmp/pytorch_moe_selftest_{os.getpid()}.safetensors"
        state = {k: v for k, v in model.state_dict().items()}
        save_safetensors(path, state)
        back = load_safetensors(path)
        os.remove(path)
        assert all(torch.equal(back[k], v) for k, v in state.items())
        print(f"{family}: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("forward")
    f.add_argument("model")
    f.add_argument("--input-ids", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--dtype", default="fp32")
    f.add_argument("--router-probs", action="store_true",
                   help="also write router.l.probs [B,T,E] (softmax over all experts) to spot near-ties")
    f.add_argument("--threads", type=int, default=0)
    bn = sub.add_parser("bench")
    bn.add_argument("model")
    bn.add_argument("--experts", required=True, help='JSON file or text: {"layer": [expert, ...]}')
    bn.add_argument("--batch", type=int, default=4)
    bn.add_argument("--seq", type=int, default=256)
    bn.add_argument("--steps", type=int, default=3)
    bn.add_argument("--warmup", type=int, default=1)
    bn.add_argument("--threads", type=int, default=0)
    bn.add_argument("--dtype", default="bf16")
    bn.add_argument("--lr", type=float, default=1e-4)
    bn.add_argument("--seed", type=int, default=0)
    bn.add_argument("--aux-loss", type=int, default=1, help="add the load-balancing loss (1/0)")
    st = sub.add_parser("selftest")
    st.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    else:
        torch.set_num_threads(os.cpu_count() or 1)
    {"forward": run_forward, "bench": run_bench, "selftest": run_selftest}[args.mode](args)


if __name__ == "__main__":
    try:
        main()
    except (ValueError, KeyError, OSError) as e:
        print(f"pytorch_moe.py: error: {e}", file=sys.stderr)
        sys.exit(1)
