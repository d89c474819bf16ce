"""Counter-based deterministic parameters, bit-for-bit equal to Swift's DeterministicParameters.

Element i of the tensor called `name` depends only on (seed, name, i), so Swift and Python fill any
model identically without weight files.
"""
import numpy as np


def det_param(name, shape, scale=1.0, offset=0.0, seed=0):
    h = 0xcbf29ce484222325                            # FNV-1a 64 of the UTF-8 name
    for b in name.encode(): h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
    n = int(np.prod(shape, dtype=np.int64))
    z = np.uint64(h ^ seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    k = ((z ^ (z >> np.uint64(31))) >> np.uint64(40)).astype(np.float64)   # 24 random bits
    u = (2 * k - 2**24) / 2**24                                              # exact, in [-1, 1)
    return (float(np.float32(offset)) + float(np.float32(scale)) * u).astype(np.float32).reshape(shape)
