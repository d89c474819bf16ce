"""PyTorch/transformers on the work of `finecliper bench clip`: ViT-B/16 image features of 1 and 16
frames, text features of the 14 PN prompts; fp32, inference mode, same thread count, median of N."""
import json
import sys
import time

import torch
from transformers import CLIPConfig, CLIPModel, CLIPTokenizerFast  # noqa: F401

threads, repeats = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
cfg = CLIPConfig(text_config=dict(hidden_act="quick_gelu"),
                 vision_config=dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                                    intermediate_size=3072, patch_size=16, image_size=224, hidden_act="quick_gelu"),
                 projection_dim=512)
model = CLIPModel(cfg).eval()
classes = ["happiness", "sadness", "neutral", "anger", "surprise", "disgust", "fear"]
# Same token counts as the Swift run: [SOT] a person with an expression of (no) <word> [EOT].
lengths = [9, 10] * 7
ids = torch.zeros(14, max(lengths), dtype=torch.long)
for i, n in enumerate(lengths):
    ids[i, :n] = torch.arange(1, n + 1) * 7
    ids[i, n - 1] = 49407


def median_ms(fn):
    fn()
    s = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); s.append((time.perf_counter() - t0) * 1e3)
    return sorted(s)[len(s) // 2]


with torch.inference_mode():
    for frames in (1, 16):
        x = torch.rand(frames, 3, 224, 224)
        ms = median_ms(lambda: model.get_image_features(pixel_values=x))
        print(json.dumps({"name": f"image encoder {frames} frame{'' if frames == 1 else 's'}", "threads": threads, "ms": ms}))
    ms = median_ms(lambda: model.get_text_features(input_ids=ids))
    print(json.dumps({"name": "text encoder 14 prompts", "threads": threads, "ms": ms}))
