"""Parity fixtures for finecliper's FineCLIPER model from its PyTorch twin (fineclip_twin.py) with
a tiny CLIP: writes Tests/Fixtures/fineclip_reference.safetensors with the inputs, logits, PN
cosines, fusion weights, per-modality margins, frame probabilities, the loss, the gradient of
every trainable parameter, and the losses of 5 SGD steps (momentum 0.9, weight decay 1e-4,
lr 0.01) for 2 clips × 4 frames × 3 streams + descriptions.
Run: python Tests/Reference/fineclip_reference.py   (needs torch, transformers, numpy, safetensors)
"""
import os
import sys

import numpy as np
import torch
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(__file__))
from detparam import det_param  # noqa: E402
from fineclip_twin import STREAMS, Twin, token_rows  # noqa: E402

torch.set_num_threads(1)
FIX = os.path.join(os.path.dirname(__file__), "..", "Fixtures")
VISION = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              patch_size=8, image_size=32, hidden_act="quick_gelu")
TEXT = dict(vocab_size=49408, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=16, hidden_act="quick_gelu")
B, T, CLASSES = 2, 4, 7
twin = Twin(VISION, TEXT, 24, dict(video=[0, 1], middle=[1], label=[0, 1], description=[0, 1]), temporal=(2, 12, 48, 16))
params = twin.params

rng = np.random.default_rng(7)
positive_ids, negative_ids = token_rows(rng, CLASSES, 5, 9), token_rows(rng, CLASSES, 6, 10)
description_ids = [token_rows(rng, 1, 10, 10)[0], token_rows(rng, 1, 16, 16)[0]]
labels = torch.tensor([3, 5])
images = {s: torch.from_numpy(det_param(f"input.{s}", [B * T, 3, 32, 32])) for s in STREAMS}


def forward():
    return twin.forward(images, description_ids, positive_ids, negative_ids, labels, B, T)


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
initial = {n: p.detach().clone() for n, p in params.items()}
def five_steps(opt):
    losses = []
    for step in range(5):
        opt.zero_grad(set_to_none=True)
        loss = forward()["loss"]
        loss.backward()
        losses.append(loss.item())
        opt.step()
    return losses


for p in params.values():
    p.grad = None
out["sgd_losses"] = np.array(five_steps(torch.optim.SGD(list(params.values()), lr=0.01, momentum=0.9, weight_decay=1e-4)), np.float32)

# The trainer's recipe (TrainConfig's defaults, DFER-CLIP's): SGD with momentum 0.9 and weight
# decay 1e-4, adapters at 1e-3, temporal models and fusion at 1e-2 (the schedule is flat for the
# first epochs), five steps from the same initial weights.
for name, p in params.items():
    p.data.copy_(initial[name])
    p.grad = None
groups = [dict(params=[p for n, p in params.items() if n.startswith(prefix)], lr=lr)
          for prefix, lr in [("adapters.", 1e-3), ("temporal.", 1e-2), ("fusion.", 1e-2)]]
assert sum(len(g["params"]) for g in groups) == len(params)
losses = five_steps(torch.optim.SGD(groups, lr=1e-3, momentum=0.9, weight_decay=1e-4))
out["trainer_losses"] = np.array(losses, np.float32)

save_file(out, os.path.join(FIX, "fineclip_reference.safetensors"),
          metadata={"generator": "Tests/Reference/fineclip_reference.py", "parameters": ",".join(params.keys())})
print("loss", r["loss"].item(), "sgd", out["sgd_losses"].tolist(), "trainer recipe", losses, "parameters", len(params), sum(p.numel() for p in params.values()))
