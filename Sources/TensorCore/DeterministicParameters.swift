/// Counter-based parameter values: element i of the tensor named `name` depends only on
/// (seed, name, i), so any model of any size can be filled identically in Swift and Python
/// without shipping weight files. The Python twin (Tests/Reference/detparam.py) is:
///
///     def det_param(name, shape, scale=1.0, offset=0.0, seed=0):
///         h = 0xcbf29ce484222325                            # FNV-1a 64 of the UTF-8 name
///         for b in name.encode(): h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
///         n = int(np.prod(shape, dtype=np.int64))
///         z = np.uint64(h ^ seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
///         z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
///         z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
///         k = ((z ^ (z >> np.uint64(31))) >> np.uint64(40)).astype(np.float64)   # 24 random bits
///         u = (2 * k - 2**24) / 2**24                                              # exact, in [-1, 1)
///         return (float(np.float32(offset)) + float(np.float32(scale)) * u).astype(np.float32).reshape(shape)
///
/// Bit-for-bit equality holds because u and scale·u are exact in Double and both sides round to
/// Float once.
public enum DeterministicParameters {
    /// FNV-1a 64-bit hash of the UTF-8 bytes.
    public static func nameHash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// Values uniform in [offset − scale, offset + scale).
    public static func tensor(_ name: String, _ shape: [Int], scale: Float = 1, offset: Float = 0, seed: UInt64 = 0) -> Tensor {
        var t = Tensor(uninitialized: shape)
        let key = nameHash(name) ^ seed
        let s = Double(scale), o = Double(offset)
        t.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            parallelChunks(p.count, minPerChunk: 65_536) { range in
                for i in range {
                    let z = splitMix64(key &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15)
                    let k = Double(z >> 40)
                    base[i] = Float(o + s * ((2 * k - 16_777_216) / 16_777_216))
                }
            }
        }
        return t
    }
}
