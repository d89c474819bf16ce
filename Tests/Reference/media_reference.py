"""Fixtures for the media layer: DFER-CLIP's frame sampling formulas, Video-LLaVA's linspace, and
Pillow's bilinear resize (what torchvision's Resize applies to PIL images) on synthetic images.
Run: python Tests/Reference/media_reference.py   (needs numpy, pillow, safetensors)"""
import os
import sys

import numpy as np
from PIL import Image
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(__file__))
from detparam import det_param  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "media_reference.safetensors")
t = {}


def dfer_clip_test_indices(num_frames, num_segments=16, duration=1):
    # video_dataloader.py _get_test_indices, 0-based
    if num_frames > num_segments + duration - 1:
        tick = (num_frames - duration + 1) / float(num_segments)
        return np.array([int(tick / 2.0 + tick * x) for x in range(num_segments)])
    return np.pad(np.array(list(range(num_frames))), (0, num_segments - num_frames), "edge")


for n in range(1, 301):
    t[f"test.{n}"] = dfer_clip_test_indices(n).astype(np.int64)
    t[f"linspace.{n}"] = np.linspace(0, n - 1, 8, dtype=int).astype(np.int64)


def synthetic(name, w, h):
    """A deterministic image with edges and gradients, so resampling errors show."""
    noise = (det_param(name, [h, w, 3]) * 0.5 + 0.5) * 255
    yy, xx = np.mgrid[0:h, 0:w]
    pattern = np.stack([xx * 255 / max(w - 1, 1), yy * 255 / max(h - 1, 1), ((xx // 7 + yy // 5) % 2) * 255], -1)
    return np.clip(0.6 * pattern + 0.4 * noise, 0, 255).astype(np.uint8)


for (w, h), (ow, oh) in [((640, 360), (224, 224)), ((173, 97), (224, 224)), ((256, 256), (224, 224)),
                         ((224, 224), (112, 56)), ((31, 17), (5, 40))]:
    name = f"resize.{w}x{h}.{ow}x{oh}"
    src = synthetic(name, w, h)
    t[name + ".in"] = src
    t[name + ".out"] = np.asarray(Image.fromarray(src).resize((ow, oh), Image.BILINEAR))
    t[name + ".bicubic"] = np.asarray(Image.fromarray(src).resize((ow, oh), Image.BICUBIC))

from PIL import ImageEnhance  # noqa: E402

src = synthetic("augment", 120, 90)
t["augment.in"] = src
for f in (0.63, 1.37):
    t[f"brightness.{f}"] = np.asarray(ImageEnhance.Brightness(Image.fromarray(src)).enhance(f))
for a in (3.3, -2.7, 4.0):
    t[f"rotate.{a}"] = np.asarray(Image.fromarray(src).rotate(a, Image.NEAREST, expand=False, fillcolor=0))

save_file(t, OUT, metadata={"generator": "Tests/Reference/media_reference.py"})
print(f"wrote {len(t)} tensors to {os.path.normpath(OUT)}")
