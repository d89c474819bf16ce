import Foundation

/// A seeded, fast, reproducible generator (xoshiro256**, state seeded through SplitMix64).
/// Same seed, same sequence, on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func next() -> UInt64 { x &+= 0x9E37_79B9_7F4A_7C15; return splitMix64(x) }
        s = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUnit() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextUnit() }

    /// Standard normal by Box–Muller (double precision internally).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53, u2 = Double(next() >> 11) * 0x1p-53
        return mean + std * Float((-2 * Foundation.log(u1)).squareRoot() * cos(2 * .pi * u2))
    }

    /// Normal(mean, std) truncated to [a, b] (absolute bounds, as PyTorch's `trunc_normal_`), by rejection.
    public mutating func truncatedNormal(mean: Float = 0, std: Float = 1, a: Float = -2, b: Float = 2) -> Float {
        check(a < b, "truncatedNormal: empty interval [\(a), \(b)]")
        for _ in 0..<10_000 {
            let x = normal(mean: mean, std: std)
            if x >= a && x <= b { return x }
        }
        return min(max(mean, a), b)
    }

    /// An integer in 0..<n.
    public mutating func integer(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
}

/// SplitMix64's finaliser: a bijective 64-bit mix.
@inline(__always)
public func splitMix64(_ z0: UInt64) -> UInt64 {
    var z = z0
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

extension Tensor {
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, using g: inout SeededGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape)
        t.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = g.uniform(low, high) } }
        return t
    }

    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, using g: inout SeededGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape)
        t.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = g.normal(mean: mean, std: std) } }
        return t
    }

    public static func truncatedNormal(_ shape: [Int], std: Float = 1, a: Float = -2, b: Float = 2,
                                       using g: inout SeededGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape)
        t.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = g.truncatedNormal(std: std, a: a, b: b) } }
        return t
    }
}
