"""Fixtures for the Swift CLIP port, from Hugging Face transformers' CLIPModel with every weight
made by det_param (the rule in clip_weight_range below is Swift's WeightMap.deterministicRange).

Writes Tests/Fixtures/clip_reference.safetensors:
  tiny.*  — a small config: inputs, every layer's hidden states, pooled features and embeddings;
  b16.*   — full ViT-B/16 + text encoder: image embedding of one 224² input, text embeddings;
  folder.* — outputs of the model re-loaded from the saved Hugging Face folder (F16 weights);
and Tests/Fixtures/clip-tiny-hf/ (config.json, model.safetensors in F16, vocab.json, merges.txt).
Run: python Tests/Reference/clip_reference.py   (needs torch, transformers, open-clip-torch, numpy)
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
from open_clip.tokenizer import SimpleTokenizer
from safetensors.numpy import save_file
from transformers import CLIPConfig, CLIPModel

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference_weights import clip_weight_range  # noqa: E402
from detparam import det_param  # noqa: E402

torch.set_num_threads(2)
FIX = os.path.join(os.path.dirname(__file__), "..", "Fixtures")
out = {}


def build(vision, text, projection):
    cfg = CLIPConfig(text_config=text, vision_config=vision, projection_dim=projection)
    model = CLIPModel(cfg).eval()
    with torch.no_grad():
        for key, p in model.named_parameters():
            scale, offset = clip_weight_range(key, list(p.shape))
            p.copy_(torch.from_numpy(det_param(key, list(p.shape), scale, offset)))
    return model


tok = SimpleTokenizer()


def ids_for(texts, context):
    rows = []
    for t in texts:
        ids = [tok.sot_token_id] + tok.encode(t) + [tok.eot_token_id]
        if len(ids) > context:
            ids = ids[:context]
            ids[-1] = tok.eot_token_id
        rows.append(ids)
    return rows


def padded(rows):
    length = max(len(r) for r in rows)
    return torch.tensor([r + [0] * (length - len(r)) for r in rows])


# --- tiny -------------------------------------------------------------------------------------
tiny_vision = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                   patch_size=8, image_size=32, hidden_act="quick_gelu")
tiny_text = dict(vocab_size=49408, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                 max_position_embeddings=16, hidden_act="quick_gelu")
tiny = build(tiny_vision, tiny_text, 24)
images = torch.from_numpy(det_param("input.tiny_images", [2, 3, 32, 32]))
texts = ["a smiling face", "A person with an expression of no fear, with raised eyebrows and parted lips"]
rows = ids_for(texts, 16)
ids = padded(rows)
with torch.no_grad():
    v = tiny.vision_model(pixel_values=images, output_hidden_states=True)
    t = tiny.text_model(input_ids=ids, output_hidden_states=True)
    out["tiny.images"] = images.numpy()
    out["tiny.ids"] = ids.numpy().astype(np.int64)
    out["tiny.lengths"] = np.array([len(r) for r in rows], np.int64)
    for i, h in enumerate(v.hidden_states):
        out[f"tiny.vision_hidden.{i}"] = h.numpy()
    for i, h in enumerate(t.hidden_states):
        out[f"tiny.text_hidden.{i}"] = h.numpy()
    out["tiny.vision_pooled"] = v.pooler_output.numpy()
    out["tiny.text_pooled"] = t.pooler_output.numpy()
    out["tiny.image_embeds"] = tiny.visual_projection(v.pooler_output).numpy()
    out["tiny.text_embeds"] = tiny.text_projection(t.pooler_output).numpy()

# The Hugging Face folder: F16 weights, plus tokenizer files made from open_clip's vocabulary.
folder = os.path.join(FIX, "clip-tiny-hf")
shutil.rmtree(folder, ignore_errors=True)
tiny.half().save_pretrained(folder, safe_serialization=True)
vocab = {k.replace("<start_of_text>", "<|startoftext|>").replace("<end_of_text>", "<|endoftext|>"): v
         for k, v in tok.encoder.items()}
with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
    json.dump(vocab, f, ensure_ascii=False)
merges = sorted(tok.bpe_ranks.items(), key=lambda kv: kv[1])
with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
    f.write("#version: 0.2\n" + "\n".join(f"{a} {b}" for (a, b), _ in merges) + "\n")
reloaded = CLIPModel.from_pretrained(folder, torch_dtype=torch.float32).eval()
with torch.no_grad():
    out["folder.image_embeds"] = reloaded.get_image_features(pixel_values=images).numpy()
    out["folder.text_embeds"] = reloaded.get_text_features(input_ids=ids).numpy()

# --- full size ViT-B/16 -----------------------------------------------------------------------
b16 = build(dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                 patch_size=16, image_size=224, hidden_act="quick_gelu"),
            dict(vocab_size=49408, hidden_size=512, num_hidden_layers=12, num_attention_heads=8,
                 intermediate_size=2048, max_position_embeddings=77, hidden_act="quick_gelu"), 512)
image = torch.from_numpy(det_param("input.b16_image", [1, 3, 224, 224], 0.5, 0.5))
b16_texts = ["A person with an expression of happiness", "A person with an expression of no happiness",
             "raised eyebrows, parted lips, a furrowed brow, and a retracted chin."]
b16_rows = ids_for(b16_texts, 77)
with torch.no_grad():
    out["b16.image"] = image.numpy()
    out["b16.image_embeds"] = b16.get_image_features(pixel_values=image).numpy()
    out["b16.ids"] = padded(b16_rows).numpy().astype(np.int64)
    out["b16.lengths"] = np.array([len(r) for r in b16_rows], np.int64)
    out["b16.text_embeds"] = b16.get_text_features(input_ids=padded(b16_rows)).numpy()

import transformers  # noqa: E402
save_file({k: np.ascontiguousarray(v) for k, v in out.items()}, os.path.join(FIX, "clip_reference.safetensors"),
          metadata={"generator": "Tests/Reference/clip_reference.py", "torch": torch.__version__,
                    "transformers": transformers.__version__, "texts": json.dumps({"tiny": texts, "b16": b16_texts})})
print("wrote", len(out), "tensors")
