"""Reference outputs of MediaPipe's BlazeFace short-range model from the LiteRT interpreter (its
reference kernels, not XNNPACK), for the Swift TFLite reader and kernels. Inputs: one deterministic
tensor and one real photo letterboxed to 128×128 in [-1, 1].
Run: python Tests/Reference/blazeface_reference.py   (needs ai-edge-litert, numpy, pillow; the
model and photo come from scripts/setup)"""
import os
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from PIL import Image
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(__file__))
from detparam import det_param  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
model = os.path.join(ROOT, "assets", "face_detection_short_range.tflite")
it = Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
it.allocate_tensors()
inp = it.get_input_details()[0]["index"]
outs = {o["name"]: o["index"] for o in it.get_output_details()}

photo = Image.open(os.path.join(ROOT, "assets", "media", "single_face.jpg")).convert("RGB")
scale = 128 / max(photo.size)
w, h = round(photo.width * scale), round(photo.height * scale)
canvas = Image.new("RGB", (128, 128))
canvas.paste(photo.resize((w, h), Image.BILINEAR), ((128 - w) // 2, (128 - h) // 2))
inputs = {"random": det_param("blazeface.input", [1, 128, 128, 3]),
          "photo": (np.asarray(canvas, np.float32) / 127.5 - 1)[None]}
t = {}
for name, x in inputs.items():
    it.set_tensor(inp, x.astype(np.float32))
    it.invoke()
    t[f"{name}.input"] = x.astype(np.float32)
    t[f"{name}.regressors"] = it.get_tensor(outs["regressors"]).copy()
    t[f"{name}.classificators"] = it.get_tensor(outs["classificators"]).copy()
save_file(t, os.path.join(ROOT, "Tests", "Fixtures", "blazeface_reference.safetensors"),
          metadata={"generator": "Tests/Reference/blazeface_reference.py"})
print("wrote", len(t), "tensors; photo max score logit", float(t["photo.classificators"].max()))
