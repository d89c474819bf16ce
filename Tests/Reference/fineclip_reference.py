"""The PyTorch twin of finecliper's FineCLIPER model (Sources/FineCLIPER), built on transformers'
CLIP modules with every weight made by det_param, for the Swift parity tests.

The design it mirrors (FINECLIPER.md §5.3 and the Swift doc comments):
  - frozen CLIP; AIM adapters per call: block(x) = x1 + mlp(ln2(x1)) + s·A_mlp(ln2(x1)) with
    x1 = x + (a + A_attn(a)), a = attn(ln1(x)); A(x) = fc2(GELU(fc1(x))) (exact GELU);
  - per visual stream (video, parsing, landmarks): CLIP image features → [B, T, P] → DFER-CLIP's
    temporal transformer (cls token, positions, pre-LN fused-qkv attention, tanh-GELU FF) → L2;
  - description: text tower + its adapter (serial only) → L2;
  - PN prompts: text tower with positive / negative adapters → L2;
  - fusion: f = L2(Σ softmax(α)_m e_m); logits = (f·Pᵀ − f·Nᵀ)/τ;
  - loss = CE(logits, y) + λ·(CE(v·dᵀ/τc, i) + CE(d·vᵀ/τc, i))/2.

Writes Tests/Fixtures/fineclip_reference.safetensors: the inputs, logits, PN cosines, fusion
weights, frame probabilities, the loss, the gradient of every trainable parameter, and the losses
of 5 SGD steps (momentum 0.9, weight decay 1e-4, lr 0.01).
Run: python Tests/Reference/fineclip_reference.py   (needs torch, transformers, numpy, safetensors)
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import save_file
from transformers import CLIPConfig, CLIPModel

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference_weights import clip_weight_range  # noqa: E402
from detparam import det_param  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
FIX = os.path.join(os.path.dirname(__file__), "..", "Fixtures")

# --- configuration (tiny CLIP, variant "all") --------------------------------------------------
VISION = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              patch_size=8, image_size=32, hidden_act="quick_gelu")
TEXT = dict(vocab_size=49408, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=16, hidden_act="quick_gelu")
PROJ = 24
RATIO, SCALE = 0.25, 0.5
VIDEO_LAYERS, MIDDLE_LAYERS, LABEL_LAYERS, DESC_LAYERS = [0, 1], [1], [0, 1], [0, 1]
T_HEADS, T_HEAD_WIDTH, T_MLP, T_MAX = 2, 12, 48, 16
TAU, LAMBDA, TAU_C = 0.01, 1.0, 0.01
CLASSES = 7
B, T = 2, 4
STREAMS = ["video", "parsing", "landmarks"]


def finecliper_range(key, shape):
    """The deterministic value rule of the parity test (FineCLIPERParityTests.range)."""
    if key.endswith("norm.weight"):
        return 0.1, 1.0
    if key.endswith(".bias"):
        return 0.02, 0.0
    if key.endswith("cls_token") or key.endswith("pos_embedding") or key == "fusion.logits":
        return 0.5, 0.0
    return float(np.float32(1) / np.sqrt(np.float32(shape[1]))), 0.0


cfg = CLIPConfig(text_config=TEXT, vision_config=VISION, projection_dim=PROJ)
cfg._attn_implementation = "eager"
clip = CLIPModel(cfg).eval()
with torch.no_grad():
    for key, p in clip.named_parameters():
        scale, offset = clip_weight_range(key, list(p.shape))
        p.copy_(torch.from_numpy(det_param(key, list(p.shape), scale, offset)))
for p in clip.parameters():
    p.requires_grad_(False)

params = {}


def param(name, shape):
    scale, offset = finecliper_range(name, shape)
    t = torch.from_numpy(det_param(name, shape, scale, offset)).requires_grad_(True)
    params[name] = t
    return t


def adapter(prefix, width):
    hidden = int(math.floor(width * RATIO))
    return dict(w1=param(prefix + ".fc1.weight", [hidden, width]), b1=param(prefix + ".fc1.bias", [hidden]),
                w2=param(prefix + ".fc2.weight", [width, hidden]), b2=param(prefix + ".fc2.bias", [width]))


def adapter_branch(a, x):
    return F.linear(F.gelu(F.linear(x, a["w1"], a["b1"])), a["w2"], a["b2"])


def adapter_set(name, depth, layers, width, parallel=True):
    out = {}
    for i in range(depth):
        if i in layers:
            out[i] = dict(attn=adapter(f"adapters.{name}.layers.{i}.attn", width),
                          mlp=adapter(f"adapters.{name}.layers.{i}.mlp", width) if parallel else None)
    return out


def temporal(name, width):
    p = f"temporal.{name}"
    q = p + ".temporal_transformer.layers.0"
    inner = T_HEADS * T_HEAD_WIDTH
    return dict(cls=param(p + ".cls_token", [1, 1, width]), pos=param(p + ".pos_embedding", [1, T_MAX + 1, width]),
                n1w=param(q + ".0.norm.weight", [width]), n1b=param(q + ".0.norm.bias", [width]),
                qkv=param(q + ".0.fn.to_qkv.weight", [3 * inner, width]),
                ow=param(q + ".0.fn.to_out.0.weight", [width, inner]), ob=param(q + ".0.fn.to_out.0.bias", [width]),
                n2w=param(q + ".1.norm.weight", [width]), n2b=param(q + ".1.norm.bias", [width]),
                f1w=param(q + ".1.fn.net.0.weight", [T_MLP, width]), f1b=param(q + ".1.fn.net.0.bias", [T_MLP]),
                f2w=param(q + ".1.fn.net.3.weight", [width, T_MLP]), f2b=param(q + ".1.fn.net.3.bias", [width]))


# Built in the Swift model's order (namedParameters), so the fixture lists them the same way.
vis_depth, txt_depth = VISION["num_hidden_layers"], TEXT["num_hidden_layers"]
vis_width, txt_width = VISION["hidden_size"], TEXT["hidden_size"]
adapters = {
    "video": adapter_set("video", vis_depth, VIDEO_LAYERS, vis_width),
    "parsing": adapter_set("parsing", vis_depth, MIDDLE_LAYERS, vis_width),
    "landmarks": adapter_set("landmarks", vis_depth, MIDDLE_LAYERS, vis_width),
    "positive": adapter_set("positive", txt_depth, LABEL_LAYERS, txt_width),
    "negative": adapter_set("negative", txt_depth, LABEL_LAYERS, txt_width),
    "description": adapter_set("description", txt_depth, DESC_LAYERS, txt_width, parallel=False),
}
temporals = {s: temporal(s, PROJ) for s in STREAMS}
fusion_logits = param("fusion.logits", [4])


def block(layer, x, adapt, causal_mask=None):
    a = layer.self_attn(hidden_states=layer.layer_norm1(x), causal_attention_mask=causal_mask)[0]
    if adapt is not None:
        a = a + adapter_branch(adapt["attn"], a)
    x1 = x + a
    h = layer.layer_norm2(x1)
    m = layer.mlp(h)
    if adapt is not None and adapt["mlp"] is not None:
        m = m + SCALE * adapter_branch(adapt["mlp"], h)
    return x1 + m


def encode_images(images, adapt):
    vm = clip.vision_model
    x = vm.pre_layrnorm(vm.embeddings(images))
    for i, layer in enumerate(vm.encoder.layers):
        x = block(layer, x, adapt.get(i))
    return clip.visual_projection(vm.post_layernorm(x[:, 0, :]))


def encode_texts(rows, adapt):
    tm = clip.text_model
    length = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (length - len(r)) for r in rows])
    x = tm.embeddings(input_ids=ids)
    mask = torch.full((length, length), torch.finfo(torch.float32).min).triu(1)[None, None]
    for i, layer in enumerate(tm.encoder.layers):
        x = block(layer, x, adapt.get(i), causal_mask=mask)
    x = tm.final_layer_norm(x)
    eot = torch.tensor([max(range(len(r)), key=lambda j: (r[j], -j)) for r in rows])
    return clip.text_projection(x[torch.arange(len(rows)), eot])


def run_temporal(p, x):
    b, n, d = x.shape
    h = torch.cat([p["cls"].expand(b, 1, d), x], dim=1) + p["pos"][:, : n + 1]
    y = F.layer_norm(h, (d,), p["n1w"], p["n1b"], 1e-5)
    q, k, v = F.linear(y, p["qkv"]).chunk(3, dim=-1)
    split = lambda z: z.view(b, n + 1, T_HEADS, T_HEAD_WIDTH).transpose(1, 2)
    att = torch.softmax(split(q) @ split(k).transpose(-1, -2) * T_HEAD_WIDTH ** -0.5, dim=-1) @ split(v)
    h = h + F.linear(att.transpose(1, 2).reshape(b, n + 1, -1), p["ow"], p["ob"])
    y = F.layer_norm(h, (d,), p["n2w"], p["n2b"], 1e-5)
    h = h + F.linear(F.gelu(F.linear(y, p["f1w"], p["f1b"]), approximate="tanh"), p["f2w"], p["f2b"])
    return h[:, 0]


# --- inputs ------------------------------------------------------------------------------------
rng = np.random.default_rng(7)


def token_rows(count, lo, hi):
    rows = []
    for _ in range(count):
        n = int(rng.integers(lo, hi + 1))
        rows.append([49406] + [int(i) for i in rng.integers(1, 49405, n - 2)] + [49407])
    return rows


positive_ids, negative_ids = token_rows(CLASSES, 5, 9), token_rows(CLASSES, 6, 10)
description_ids = [token_rows(1, 10, 10)[0], token_rows(1, 16, 16)[0]]
labels = torch.tensor([3, 5])
images = {s: torch.from_numpy(det_param(f"input.{s}", [B * T, 3, 32, 32])) for s in STREAMS}


def forward():
    embeds, frames = [], None
    for s in STREAMS:
        per_frame = encode_images(images[s], adapters[s]).view(B, T, PROJ)
        if s == "video":
            frames = per_frame
        embeds.append(F.normalize(run_temporal(temporals[s], per_frame), dim=-1))
    desc = F.normalize(encode_texts(description_ids, adapters["description"]), dim=-1)
    embeds.append(desc)
    P = F.normalize(encode_texts(positive_ids, adapters["positive"]), dim=-1)
    N = F.normalize(encode_texts(negative_ids, adapters["negative"]), dim=-1)
    w = torch.softmax(fusion_logits, dim=0)
    f = F.normalize(sum(w[m] * embeds[m] for m in range(4)), dim=-1)
    pos, neg = f @ P.T, f @ N.T
    logits = (pos - neg) / TAU
    targets = torch.arange(B)
    nce = (F.cross_entropy(embeds[0] @ desc.T / TAU_C, targets) + F.cross_entropy(desc @ embeds[0].T / TAU_C, targets)) / 2
    loss = F.cross_entropy(logits, labels) + LAMBDA * nce
    fe = F.normalize(frames.reshape(B * T, PROJ), dim=-1)
    frame_probs = torch.softmax((fe @ P.T - fe @ N.T) / TAU, dim=-1).view(B, T, CLASSES)
    margins = [(e @ P.T - e @ N.T) for e in embeds]
    return dict(logits=logits, pos=pos, neg=neg, weights=w, loss=loss, frame_probs=frame_probs, margins=margins)


out = {}
r = forward()
r["loss"].backward()
out["logits"] = r["logits"].detach().numpy()
out["positive_cosine"] = r["pos"].detach().numpy()
out["negative_cosine"] = r["neg"].detach().numpy()
out["fusion_weights"] = r["weights"].detach().numpy()
out["frame_probabilities"] = r["frame_probs"].detach().numpy()
for m, name in enumerate(["video", "parsing", "landmarks", "description"]):
    out[f"margins.{name}"] = r["margins"][m].detach().numpy()
out["loss"] = np.array([r["loss"].item()], np.float32)
for name, p in params.items():
    out[f"grad.{name}"] = p.grad.numpy().copy()
for s in STREAMS:
    out[f"input.{s}"] = images[s].numpy()


def ragged(rows):
    return np.array([len(r) for r in rows], np.int64), np.concatenate([np.array(r, np.int64) for r in rows])


for key, rows in [("positive_ids", positive_ids), ("negative_ids", negative_ids), ("description_ids", description_ids)]:
    out[key + ".lengths"], out[key + ".values"] = ragged(rows)
out["labels"] = labels.numpy().astype(np.int64)

# Five SGD steps on the same batch (llm.c's test style).
opt = torch.optim.SGD(list(params.values()), lr=0.01, momentum=0.9, weight_decay=1e-4)
losses = []
for p in params.values():
    p.grad = None
for step in range(5):
    opt.zero_grad(set_to_none=True)
    loss = forward()["loss"]
    loss.backward()
    losses.append(loss.item())
    opt.step()
out["sgd_losses"] = np.array(losses, np.float32)

save_file(out, os.path.join(FIX, "fineclip_reference.safetensors"),
          metadata={"generator": "Tests/Reference/fineclip_reference.py", "parameters": ",".join(params.keys())})
print("loss", r["loss"].item(), "sgd", losses, "parameters", len(params), sum(p.numel() for p in params.values()))
