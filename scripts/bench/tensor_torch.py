"""PyTorch on the same tensors as `finecliper bench tensor` (fp32, inference mode, median of N runs).
Prints JSON lines with the same names so scripts/bench-tensor can pair them up."""
import json
import sys
import time

import torch
import torch.nn.functional as F

repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7


def median_ms(fn):
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return sorted(samples)[len(samples) // 2]


for threads in [int(t) for t in sys.argv[1].split(",")]:
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        for m, k, n in [(197, 768, 2304), (3152, 768, 3072)]:
            x, w = torch.rand(m, k, generator=g) - 0.5, (torch.rand(n, k, generator=g) - 0.5) * 0.1
            ms = median_ms(lambda: F.linear(x, w))
            print(json.dumps({"name": f"torch linear {m}x{k}·{k}x{n}", "threads": threads, "ms": ms,
                              "rate": 2 * m * n * k / ms / 1e6, "unit": "GFLOP/s"}))
        tokens = (torch.rand(3152, 768, generator=g) - 0.5) * 6
        gamma, beta = 1 + (torch.rand(768, generator=g) - 0.5) * 0.2, (torch.rand(768, generator=g) - 0.5) * 0.2
        hidden = (torch.rand(3152, 3072, generator=g) - 0.5) * 8
        scores = (torch.rand(16 * 12 * 197, 197, generator=g) - 0.5) * 10
        cases = [
            ("layer_norm 3152x768", tokens, lambda: F.layer_norm(tokens, (768,), gamma, beta, 1e-5)),
            ("softmax 37824x197", scores, lambda: scores.softmax(-1)),
            ("gelu 3152x3072", hidden, lambda: F.gelu(hidden)),
            ("gelu_tanh 3152x3072", hidden, lambda: F.gelu(hidden, approximate="tanh")),
            ("quick_gelu 3152x3072", hidden, lambda: hidden * torch.sigmoid(1.702 * hidden)),
        ]
        for name, t, fn in cases:
            ms = median_ms(fn)
            print(json.dumps({"name": "torch " + name, "threads": threads, "ms": ms,
                              "rate": t.numel() / ms / 1e3, "unit": "Melem/s"}))
