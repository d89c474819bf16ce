"""The deterministic value rule of CLIP weights, shared by the reference scripts (the twin of
Swift's WeightMap.deterministicRange)."""
import numpy as np


def clip_weight_range(key, shape):
    if key == "logit_scale":
        return 0.0, 4.6052
    is_norm = "layer_norm" in key or "layernorm" in key or "layrnorm" in key
    if is_norm and key.endswith(".weight"):
        return 0.1, 1.0
    if key.endswith(".bias"):
        return 0.02, 0.0
    if key.endswith("class_embedding"):
        return 0.1, 0.0
    if "embeddings." in key and "patch_embedding" not in key:
        return 0.02, 0.0
    fan_in = int(np.prod(shape[1:], dtype=np.int64))
    return float(np.float32(1) / np.sqrt(np.float32(fan_in))), 0.0
