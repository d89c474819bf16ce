"""The PyTorch twin of finecliper's FineCLIPER model (Sources/FineCLIPER), on transformers' CLIP
modules, with every weight made by det_param. Used by fineclip_reference.py (parity fixtures) and
scripts/bench/model_torch.py (the benchmark's reference).

The design it mirrors (FINECLIPER.md §5.3 and the Swift doc comments):
  - frozen CLIP; AIM adapters per call: block(x) = x1 + mlp(ln2(x1)) + s·A_mlp(ln2(x1)) with
    x1 = x + (a + A_attn(a)), a = attn(ln1(x)); A(x) = fc2(GELU(fc1(x))) (exact GELU);
  - per visual stream (video, parsing, landmarks): CLIP image features → [B, T, P] → DFER-CLIP's
    temporal transformer (cls token, positions, pre-LN fused-qkv attention, tanh-GELU FF) → L2;
  - description: text tower + its adapter (serial only) → L2;
  - PN prompts: text tower with positive / negative adapters → L2;
  - fusion: f = L2(Σ softmax(α)_m e_m); logits = (f·Pᵀ − f·Nᵀ)/τ;
  - loss = CE(logits, y) + λ·(CE(v·dᵀ/τc, i) + CE(d·vᵀ/τc, i))/2.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from transformers import CLIPConfig, CLIPModel

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference_weights import clip_weight_range  # noqa: E402
from detparam import det_param  # noqa: E402

STREAMS = ["video", "parsing", "landmarks"]


def finecliper_range(key, shape):
    """The deterministic value rule of trainable parameters (Swift: FineCLIPERModel.fillDeterministic)."""
    if key.endswith("norm.weight"):
        return 0.1, 1.0
    if key.endswith(".bias"):
        return 0.02, 0.0
    if key.endswith("cls_token") or key.endswith("pos_embedding") or key == "fusion.logits":
        return 0.5, 0.0
    return float(np.float32(1) / np.sqrt(np.float32(shape[1]))), 0.0


class Twin:
    """Variant "all". `layers` names the adapter layers: video, middle (parsing and landmarks),
    label (positive and negative), description."""

    def __init__(self, vision, text, proj, layers, temporal, ratio=0.25, scale=0.5, tau=0.01, lam=1.0, tau_c=0.01,
                 checkpoint=False):
        cfg = CLIPConfig(text_config=text, vision_config=vision, projection_dim=proj)
        cfg._attn_implementation = "eager"
        self.clip = CLIPModel(cfg).eval()
        with torch.no_grad():
            for key, p in self.clip.named_parameters():
                s, o = clip_weight_range(key, list(p.shape))
                p.copy_(torch.from_numpy(det_param(key, list(p.shape), s, o)))
        for p in self.clip.parameters():
            p.requires_grad_(False)
        self.proj, self.ratio, self.scale = proj, ratio, scale
        self.tau, self.lam, self.tau_c = tau, lam, tau_c
        self.t_heads, self.t_head_width, self.t_mlp, self.t_max = temporal
        self.checkpoint = checkpoint
        self.params = {}
        vd, td = vision["num_hidden_layers"], text["num_hidden_layers"]
        vw, tw = vision["hidden_size"], text["hidden_size"]
        self.adapters = {
            "video": self.adapter_set("video", vd, layers["video"], vw),
            "parsing": self.adapter_set("parsing", vd, layers["middle"], vw),
            "landmarks": self.adapter_set("landmarks", vd, layers["middle"], vw),
            "positive": self.adapter_set("positive", td, layers["label"], tw),
            "negative": self.adapter_set("negative", td, layers["label"], tw),
            "description": self.adapter_set("description", td, layers["description"], tw, parallel=False),
        }
        self.temporals = {s: self.temporal(s, proj) for s in STREAMS}
        self.fusion_logits = self.param("fusion.logits", [4])

    def param(self, name, shape):
        s, o = finecliper_range(name, shape)
        t = torch.from_numpy(det_param(name, shape, s, o)).requires_grad_(True)
        self.params[name] = t
        return t

    def adapter(self, prefix, width):
        hidden = int(math.floor(width * self.ratio))
        p = self.param
        return dict(w1=p(prefix + ".fc1.weight", [hidden, width]), b1=p(prefix + ".fc1.bias", [hidden]),
                    w2=p(prefix + ".fc2.weight", [width, hidden]), b2=p(prefix + ".fc2.bias", [width]))

    def adapter_set(self, name, depth, layers, width, parallel=True):
        out = {}
        for i in range(depth):
            if i in layers:
                out[i] = dict(attn=self.adapter(f"adapters.{name}.layers.{i}.attn", width),
                              mlp=self.adapter(f"adapters.{name}.layers.{i}.mlp", width) if parallel else None)
        return out

    def temporal(self, name, width):
        p, q = f"temporal.{name}", f"temporal.{name}.temporal_transformer.layers.0"
        inner, P = self.t_heads * self.t_head_width, self.param
        return dict(cls=P(p + ".cls_token", [1, 1, width]), pos=P(p + ".pos_embedding", [1, self.t_max + 1, width]),
                    n1w=P(q + ".0.norm.weight", [width]), n1b=P(q + ".0.norm.bias", [width]),
                    qkv=P(q + ".0.fn.to_qkv.weight", [3 * inner, width]),
                    ow=P(q + ".0.fn.to_out.0.weight", [width, inner]), ob=P(q + ".0.fn.to_out.0.bias", [width]),
                    n2w=P(q + ".1.norm.weight", [width]), n2b=P(q + ".1.norm.bias", [width]),
                    f1w=P(q + ".1.fn.net.0.weight", [self.t_mlp, width]), f1b=P(q + ".1.fn.net.0.bias", [self.t_mlp]),
                    f2w=P(q + ".1.fn.net.3.weight", [width, self.t_mlp]), f2b=P(q + ".1.fn.net.3.bias", [width]))

    @staticmethod
    def branch(a, x):
        return F.linear(F.gelu(F.linear(x, a["w1"], a["b1"])), a["w2"], a["b2"])

    def block(self, layer, x, adapt, causal_mask=None):
        a = layer.self_attn(hidden_states=layer.layer_norm1(x), causal_attention_mask=causal_mask)[0]
        if adapt is not None:
            a = a + self.branch(adapt["attn"], a)
        x1 = x + a
        h = layer.layer_norm2(x1)
        m = layer.mlp(h)
        if adapt is not None and adapt["mlp"] is not None:
            m = m + self.scale * self.branch(adapt["mlp"], h)
        return x1 + m

    def encode_images(self, images, adapt):
        vm = self.clip.vision_model
        x = vm.pre_layrnorm(vm.embeddings(images))
        for i, layer in enumerate(vm.encoder.layers):
            if self.checkpoint:
                x = torch.utils.checkpoint.checkpoint(self.block, layer, x, adapt.get(i), use_reentrant=False)
            else:
                x = self.block(layer, x, adapt.get(i))
        return self.clip.visual_projection(vm.post_layernorm(x[:, 0, :]))

    def encode_texts(self, rows, adapt):
        tm = self.clip.text_model
        length = max(len(r) for r in rows)
        ids = torch.tensor([r + [0] * (length - len(r)) for r in rows])
        x = tm.embeddings(input_ids=ids)
        mask = torch.full((length, length), torch.finfo(torch.float32).min).triu(1)[None, None]
        for i, layer in enumerate(tm.encoder.layers):
            x = self.block(layer, x, adapt.get(i), causal_mask=mask)
        x = tm.final_layer_norm(x)
        eot = torch.tensor([max(range(len(r)), key=lambda j: (r[j], -j)) for r in rows])
        return self.clip.text_projection(x[torch.arange(len(rows)), eot])

    def run_temporal(self, p, x):
        b, n, d = x.shape
        hs, hw = self.t_heads, self.t_head_width
        h = torch.cat([p["cls"].expand(b, 1, d), x], dim=1) + p["pos"][:, : n + 1]
        y = F.layer_norm(h, (d,), p["n1w"], p["n1b"], 1e-5)
        q, k, v = F.linear(y, p["qkv"]).chunk(3, dim=-1)
        split = lambda z: z.view(b, n + 1, hs, hw).transpose(1, 2)
        att = torch.softmax(split(q) @ split(k).transpose(-1, -2) * hw ** -0.5, dim=-1) @ split(v)
        h = h + F.linear(att.transpose(1, 2).reshape(b, n + 1, -1), p["ow"], p["ob"])
        y = F.layer_norm(h, (d,), p["n2w"], p["n2b"], 1e-5)
        h = h + F.linear(F.gelu(F.linear(y, p["f1w"], p["f1b"]), approximate="tanh"), p["f2w"], p["f2b"])
        return h[:, 0]

    def forward(self, images, description_ids, positive_ids, negative_ids, labels, clips, frames):
        embeds, video_frames = [], None
        for s in STREAMS:
            per_frame = self.encode_images(images[s], self.adapters[s]).view(clips, frames, self.proj)
            if s == "video":
                video_frames = per_frame
            embeds.append(F.normalize(self.run_temporal(self.temporals[s], per_frame), dim=-1))
        desc = F.normalize(self.encode_texts(description_ids, self.adapters["description"]), dim=-1)
        embeds.append(desc)
        P = F.normalize(self.encode_texts(positive_ids, self.adapters["positive"]), dim=-1)
        N = F.normalize(self.encode_texts(negative_ids, self.adapters["negative"]), dim=-1)
        w = torch.softmax(self.fusion_logits, dim=0)
        f = F.normalize(sum(w[m] * embeds[m] for m in range(4)), dim=-1)
        pos, neg = f @ P.T, f @ N.T
        logits = (pos - neg) / self.tau
        targets = torch.arange(clips)
        nce = (F.cross_entropy(embeds[0] @ desc.T / self.tau_c, targets)
               + F.cross_entropy(desc @ embeds[0].T / self.tau_c, targets)) / 2
        loss = F.cross_entropy(logits, labels) + self.lam * nce
        fe = F.normalize(video_frames.reshape(clips * frames, self.proj), dim=-1)
        classes = P.shape[0]
        frame_probs = torch.softmax((fe @ P.T - fe @ N.T) / self.tau, dim=-1).view(clips, frames, classes)
        margins = [(e @ P.T - e @ N.T) for e in embeds]
        return dict(logits=logits, pos=pos, neg=neg, weights=w, loss=loss, frame_probs=frame_probs, margins=margins)


def token_rows(rng, count, lo, hi):
    rows = []
    for _ in range(count):
        n = int(rng.integers(lo, hi + 1))
        rows.append([49406] + [int(i) for i in rng.integers(1, 49405, n - 2)] + [49407])
    return rows
