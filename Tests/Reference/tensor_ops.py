"""Fixtures for the tensor core: forward outputs and input gradients of every op in PyTorch.

Each case `c` stores its inputs `c.in0…` (made by det_param, so Swift can regenerate and check them
bit-for-bit), the upstream gradient `c.dout`, the output `c.out` and the gradients `c.grad0…` of
loss = sum(out * dout). Run: python Tests/Reference/tensor_ops.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(__file__))
from detparam import det_param  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "tensor_ops.safetensors")
tensors = {}
cases = {}


def param(name, shape, scale=1.0, offset=0.0):
    return torch.from_numpy(det_param(name, shape, scale, offset)).requires_grad_(True)


def case(name, fn, shapes, scales=None, offsets=None, **info):
    scales = scales or [1.0] * len(shapes)
    offsets = offsets or [0.0] * len(shapes)
    ins = [param(f"{name}.in{i}", s, sc, of) for i, (s, sc, of) in enumerate(zip(shapes, scales, offsets))]
    out = fn(*ins)
    dout = torch.from_numpy(det_param(f"{name}.dout", list(out.shape)))
    (out * dout).sum().backward()
    for i, t in enumerate(ins):
        tensors[f"{name}.in{i}"] = t.detach().numpy()
        tensors[f"{name}.grad{i}"] = t.grad.numpy()
    tensors[f"{name}.out"] = out.detach().numpy()
    tensors[f"{name}.dout"] = dout.numpy()
    cases[name] = {"shapes": shapes, "scales": scales, "offsets": offsets, **info}


def mha(q, k, v, heads, causal):
    b, tq, d = q.shape
    tk = k.shape[1]
    dh = d // heads
    split = lambda x, t: x.view(b, t, heads, dh).transpose(1, 2)
    s = split(q, tq) @ split(k, tk).transpose(-1, -2) / dh ** 0.5
    if causal:
        s = s.masked_fill(torch.ones(tq, tk, dtype=torch.bool).triu(1), float("-inf"))
    return (s.softmax(-1) @ split(v, tk)).transpose(1, 2).reshape(b, tq, d)


case("matmul", lambda a, b: a @ b, [[5, 7], [7, 3]])
case("matmul_ta", lambda a, b: a.t() @ b, [[7, 5], [7, 3]])
case("matmul_tb", lambda a, b: a @ b.t(), [[5, 7], [3, 7]])
case("matmul_batched", lambda a, b: a @ b, [[2, 5, 7], [2, 7, 3]])
case("matmul_shared", lambda a, b: a @ b, [[2, 5, 7], [7, 3]])
case("linear", lambda x, w, b: F.linear(x, w, b), [[2, 3, 8], [6, 8], [6]])
case("add", lambda a, b: a + b, [[2, 3, 4], [4]])
case("sub", lambda a, b: a - b, [[2, 3, 4], [3, 4]])
case("mul", lambda a, b: a * b, [[2, 3, 4], [3, 4]])
case("scale", lambda x: x * 0.37, [[3, 5]])
case("sum", lambda x: x.sum(1), [[3, 4, 5]])
case("mean", lambda x: x.mean(-1), [[3, 4, 5]])
case("max", lambda x: x.max(0).values, [[6, 5]])
case("layernorm", lambda x, g, b: F.layer_norm(x, (32,), g, b, 1e-5), [[4, 32], [32], [32]],
     scales=[2.0, 0.5, 0.5], offsets=[0.3, 1.0, 0.0])
case("softmax", lambda x: x.softmax(-1), [[3, 10]], scales=[3.0])
case("gelu", lambda x: F.gelu(x), [[67]], scales=[4.0])
case("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), [[67]], scales=[4.0])
case("quick_gelu", lambda x: x * torch.sigmoid(1.702 * x), [[67]], scales=[4.0])
case("sigmoid", lambda x: torch.sigmoid(x), [[67]], scales=[6.0])
case("attention", lambda q, k, v: mha(q, k, v, 4, False), [[2, 5, 16], [2, 6, 16], [2, 6, 16]], heads=4)
case("attention_causal", lambda q, k, v: mha(q, k, v, 2, True), [[1, 6, 8]] * 3, heads=2)
case("concat", lambda a, b: torch.cat([a, b], 1), [[2, 3], [2, 5]])
case("slice", lambda x: x[:, 1:4], [[4, 6]])
case("l2norm", lambda x: F.normalize(x, dim=-1), [[3, 16]])
targets = torch.tensor([0, 3, 6, 2])
case("cross_entropy", lambda z: F.cross_entropy(z, targets), [[4, 7]], scales=[3.0])
case("cross_entropy_ls", lambda z: F.cross_entropy(z, targets, label_smoothing=0.1), [[4, 7]], scales=[3.0])
tensors["cross_entropy.targets"] = targets.numpy().astype(np.int64)


def optimizer_run(name, make, steps=3):
    p = torch.nn.Parameter(torch.from_numpy(det_param(f"{name}.p0", [4, 5])))
    opt = make([p])
    tensors[f"{name}.p0"] = p.detach().numpy().copy()
    for s in range(steps):
        p.grad = torch.from_numpy(det_param(f"{name}.g{s}", [4, 5]))
        tensors[f"{name}.g{s}"] = p.grad.numpy().copy()
        opt.step()
        tensors[f"{name}.p{s + 1}"] = p.detach().numpy().copy()


optimizer_run("sgd", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=5e-4))
optimizer_run("sgd_nesterov", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True))
optimizer_run("adamw", lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.01))

# Gradient clipping by global norm over two parameters.
ga, gb = torch.from_numpy(det_param("clip.ga", [3, 4], 2.0)), torch.from_numpy(det_param("clip.gb", [5], 2.0))
pa, pb = torch.nn.Parameter(torch.zeros(3, 4)), torch.nn.Parameter(torch.zeros(5))
pa.grad, pb.grad = ga.clone(), gb.clone()
norm = torch.nn.utils.clip_grad_norm_([pa, pb], 1.0)
tensors.update({"clip.ga": ga.numpy(), "clip.gb": gb.numpy(), "clip.norm": np.array([norm.item()], np.float32),
                "clip.ca": pa.grad.numpy(), "clip.cb": pb.grad.numpy()})

# The generator itself, with a non-trivial scale, offset and seed.
tensors["detparam.a"] = det_param("detparam.a", [1000], 0.02)
tensors["detparam.b"] = det_param("blocks.3.attn.q_proj.weight", [257], 1.7, 1.0, seed=7)

meta = {"cases": json.dumps(cases), "torch": torch.__version__, "generator": "Tests/Reference/tensor_ops.py"}
save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, OUT, metadata=meta)
print(f"wrote {len(tensors)} tensors to {os.path.normpath(OUT)}")
