"""The PyTorch side of scripts/bench-model: the FineCLIPER twin (Tests/Reference/fineclip_twin.py)
at full size, one forward pass or one training step, with the same weights, inputs and token ids
as `finecliper bench model`. Prints one JSON line.
Usage: model_torch.py BACKBONE PHASE CLIPS FRAMES THREADS REPEATS [checkpoint]"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Reference"))
from detparam import det_param  # noqa: E402
from fineclip_twin import STREAMS, Twin  # noqa: E402

backbone, phase = sys.argv[1], sys.argv[2]
clips, frames, threads, repeats = map(int, sys.argv[3:7])
checkpoint = len(sys.argv) > 7 and sys.argv[7] == "checkpoint"
torch.set_num_threads(threads)
patch = {"b16": 16, "b32": 32}[backbone]
vision = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
              patch_size=patch, image_size=224, hidden_act="quick_gelu")
text = dict(vocab_size=49408, hidden_size=512, num_hidden_layers=12, num_attention_heads=8, intermediate_size=2048,
            max_position_embeddings=77, hidden_act="quick_gelu")
layers = dict(video=list(range(12)), middle=list(range(8, 12)), label=list(range(12)), description=list(range(4, 12)))
twin = Twin(vision, text, 512, layers, temporal=(8, 64, 1024, 16), checkpoint=checkpoint)


def ids(count, length, salt):   # BenchModel.ids
    return [[49406] + [1 + (r * 7919 + j * 104729 + salt) % 49000 for j in range(1, length - 1)] + [49407] for r in range(count)]


images = {s: torch.from_numpy(det_param(f"bench.{s}", [clips * frames, 3, 224, 224], 0.5, 0.5)) for s in STREAMS}
desc, pos, neg = ids(clips, 60, 3), ids(7, 9, 1), ids(7, 10, 2)
labels = torch.tensor([c % 7 for c in range(clips)])


def once():
    if phase == "forward":
        with torch.no_grad():
            return twin.forward(images, desc, pos, neg, labels, clips, frames)["loss"].item()
    for p in twin.params.values():
        p.grad = None
    loss = twin.forward(images, desc, pos, neg, labels, clips, frames)["loss"]
    loss.backward()
    return loss.item()


once()
samples = []
for _ in range(repeats):
    start = time.perf_counter()
    loss = once()
    samples.append((time.perf_counter() - start) * 1000)
name = f"all {backbone} {phase}" + (" (recompute)" if phase == "step" and checkpoint else "")
print(json.dumps(dict(name=name, threads=threads, clips=clips, frames=frames, ms=sorted(samples)[len(samples) // 2], loss=loss)))
