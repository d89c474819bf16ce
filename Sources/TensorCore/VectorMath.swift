/// Vectorised transcendental functions on 16 lanes, so activation and softmax kernels run at SIMD
/// speed instead of calling libm once per element. Accuracy is stated per function and checked
/// against libm in the tests.
public typealias Vec16 = SIMD16<Float>

public enum VectorMath {
    // The standard library's generic SIMD helpers (`clamped`, `rounded`, `pointwiseMax`, integer
    // conversions, `replacing(with:where:)`) run lane by lane here and cost 20–50× a plain vector op, so the
    // functions below use only arithmetic, min/max and bit operations.

    /// All-ones lanes where x < 0 (including −0), else zero.
    @inlinable @inline(__always)
    public static func negativeMask(_ x: Vec16) -> SIMD16<Int32> {
        unsafeBitCast(x, to: SIMD16<Int32>.self) &>> 31
    }

    /// `a` where the mask is all ones, else `b`.
    @inlinable @inline(__always)
    public static func select(_ mask: SIMD16<Int32>, _ a: Vec16, _ b: Vec16) -> Vec16 {
        let ai = unsafeBitCast(a, to: SIMD16<Int32>.self), bi = unsafeBitCast(b, to: SIMD16<Int32>.self)
        return unsafeBitCast((ai & mask) | (bi & ~mask), to: Vec16.self)
    }

    /// Lane-wise maximum (the library's `pointwiseMax` also runs lane by lane here).
    @inlinable @inline(__always)
    public static func max(_ a: Vec16, _ b: Vec16) -> Vec16 { select(negativeMask(a - b), b, a) }

    /// Lane-wise minimum.
    @inlinable @inline(__always)
    public static func min(_ a: Vec16, _ b: Vec16) -> Vec16 { select(negativeMask(a - b), a, b) }

    /// Largest of the 16 lanes.
    @inlinable @inline(__always)
    public static func horizontalMax(_ v: Vec16) -> Float {
        withUnsafeBytes(of: v) { raw in
            var m = -Float.infinity
            for x in raw.bindMemory(to: Float.self) { m = Swift.max(m, x) }
            return m
        }
    }

    /// |x|.
    @inlinable @inline(__always)
    public static func abs(_ x: Vec16) -> Vec16 {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Vec16.self)
    }

    /// e^x, within 2 ulp of libm for x in [-87, 88]; exactly 0 where e^x is subnormal (below about
    /// −87.7, and for −∞), clamped to e^88.376 (the largest input whose 2ⁿ still fits the exponent
    /// field) above. Cody–Waite reduction x = n·ln2 + r (n rounded with the 1.5·2²³ trick),
    /// a degree-6 polynomial for e^r, and 2ⁿ built in the exponent bits.
    @inlinable @inline(__always)
    public static func exp(_ x: Vec16) -> Vec16 {
        expClamped(pointwiseMin(x, Vec16(repeating: 88.37626)))
    }

    /// e^x for x ≤ 88.376 (softmax's x − max ≤ 0 needs no upper clamp). Inputs are raised to −88,
    /// where n = −127 puts all-zero bits in the exponent field, so 2ⁿ — and the result — is exactly 0
    /// without a separate select.
    @inlinable @inline(__always)
    public static func expClamped(_ x: Vec16) -> Vec16 {
        let c = pointwiseMax(x, Vec16(repeating: -88))
        let shifted = Vec16(repeating: 12_582_912).addingProduct(c, Vec16(repeating: 1.442695041))
        let n = shifted - 12_582_912
        var r = c.addingProduct(n, Vec16(repeating: -0.693359375))
        r = r.addingProduct(n, Vec16(repeating: 2.12194440e-4))
        let r2 = r * r
        var p = Vec16(repeating: 1.9875691500e-4)
        p = Vec16(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = Vec16(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = Vec16(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = Vec16(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = Vec16(repeating: 5.0000001201e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r2)
        let bits = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: Vec16.self)
    }

    /// 1 / (1 + e^-x), accurate in relative terms on both tails.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vec16) -> Vec16 {
        1 / (1 + exp(-x))
    }

    /// erfc(x) with a relative error below 5e-6 for |x| < 6 (a Chebyshev-fitted form of erfc
    /// whose own error is 1.2e-7; Float rounding of the exponent argument dominates for large |x|).
    @inlinable @inline(__always)
    public static func erfc(_ x: Vec16) -> Vec16 {
        let z = abs(x)
        let t = 1 / (1 + 0.5 * z)
        var p = Vec16(repeating: 0.17087277)
        for c: Float in [-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
                         1.00002368, -1.26551223] {
            p = Vec16(repeating: c).addingProduct(p, t)
        }
        let ans = t * exp(p.addingProduct(-z, z))
        return select(negativeMask(x), 2 - ans, ans)
    }

    /// erf(x) = 1 − erfc(x).
    @inlinable @inline(__always)
    public static func erf(_ x: Vec16) -> Vec16 { 1 - erfc(x) }

    /// tanh(x): 2σ(2x) − 1 for |x| ≥ 0.25, and its odd Taylor series to x⁹ below, where the
    /// subtraction would cancel (relative error below 1e-6 everywhere).
    @inlinable @inline(__always)
    public static func tanh(_ x: Vec16) -> Vec16 {
        let two: Float = 2
        let large = two * sigmoid(two * x) - 1
        let x2 = x * x
        var p = Vec16(repeating: 62.0 / 2835)
        p = Vec16(repeating: -17.0 / 315).addingProduct(p, x2)
        p = Vec16(repeating: 2.0 / 15).addingProduct(p, x2)
        p = Vec16(repeating: -1.0 / 3).addingProduct(p, x2)
        let small = x.addingProduct(x * x2, p)
        return select(negativeMask(abs(x) - 0.25), small, large)
    }

    /// The first `count` (< 16) floats at `p`, the other lanes `fill`. Copies through memory: lane
    /// by lane insertion compiles to a reload of the whole vector per lane here.
    @inlinable @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> Vec16 {
        var v = Vec16(repeating: fill)
        withUnsafeMutableBytes(of: &v) { $0.baseAddress!.copyMemory(from: p, byteCount: count * 4) }
        return v
    }

    /// Writes the first `count` (< 16) lanes of `v` to `p`.
    @inlinable @inline(__always)
    static func storePartial(_ v: Vec16, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        withUnsafeBytes(of: v) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: count * 4) }
    }

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vec16 { UnsafeRawPointer(p).loadUnaligned(as: Vec16.self) }

    @inlinable @inline(__always)
    static func store(_ v: Vec16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec16.self) }

    /// Applies `f` to `count` elements of `src`, writing `dst` (which may equal `src`), 16 at a time.
    /// A ragged end is handled by one overlapping vector that ends at `count`, computed from the
    /// source before anything is written, so in-place use stays correct and no scalar loop or
    /// memcpy call runs per row.
    @inlinable @inline(__always)
    static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
                    _ f: (Vec16) -> Vec16) {
        if count < 16 {
            if count > 0 { storePartial(f(loadPartial(src, count)), dst, count) }
            return
        }
        let last = count - 16
        let tail = f(load(src + last))
        var i = 0
        while i + 16 <= count {
            store(f(load(src + i)), dst + i)
            i += 16
        }
        store(tail, dst + last)
    }

    /// Like `map`, for a function of two inputs (e.g. a backward pass of x and dy).
    @inlinable @inline(__always)
    static func map2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                     _ count: Int, _ f: (Vec16, Vec16) -> Vec16) {
        if count < 16 {
            if count > 0 { storePartial(f(loadPartial(a, count), loadPartial(b, count)), dst, count) }
            return
        }
        let last = count - 16
        let tail = f(load(a + last), load(b + last))
        var i = 0
        while i + 16 <= count {
            store(f(load(a + i), load(b + i)), dst + i)
            i += 16
        }
        store(tail, dst + last)
    }

    /// 1 in the last `n` lanes (0 ≤ n ≤ 16), 0 elsewhere: selects the new lanes of an overlapping tail.
    @inlinable @inline(__always)
    static func lastLanes(_ n: Int) -> Vec16 {
        let k = Vec16(repeating: Float(16 - n))
        let lane = Vec16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        // lane ≥ 16 − n  ⇔  lane − k ≥ 0
        return select(negativeMask(lane - k), Vec16(), Vec16(repeating: 1))
    }
}
