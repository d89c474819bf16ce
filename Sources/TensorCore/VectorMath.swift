/// Vectorised transcendental functions on 16 lanes, so activation and softmax kernels run at SIMD
/// speed instead of calling libm once per element. Accuracy is stated per function and checked
/// against libm in the tests.
public typealias Vec16 = SIMD16<Float>

public enum VectorMath {
    /// e^x, within 2 ulp of libm for x in [-87, 88]; 0 below -87.3 and clamped to e^88.7 above.
    /// Cody–Waite range reduction x = n·ln2 + r and a degree-6 polynomial for e^r.
    @inlinable @inline(__always)
    public static func exp(_ x: Vec16) -> Vec16 {
        let clamped = x.clamped(lowerBound: Vec16(repeating: -87.33654), upperBound: Vec16(repeating: 88.72283))
        let n = (clamped * 1.442695041).rounded(.toNearestOrEven)
        var r = clamped - n * 0.693359375
        r = r + n * 2.12194440e-4
        let r2 = r * r
        var p = Vec16(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r2 + r + 1
        let bits = (SIMD16<Int32>(n, rounding: .toNearestOrEven) &+ 127) &<< 23
        let scale = unsafeBitCast(bits, to: Vec16.self)
        var result = p * scale
        result.replace(with: 0, where: x .< -87.33654)
        return result
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
        let z = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.5 * z)
        var p = Vec16(repeating: 0.17087277)
        p = p * t - 0.82215223
        p = p * t + 1.48851587
        p = p * t - 1.13520398
        p = p * t + 0.27886807
        p = p * t - 0.18628806
        p = p * t + 0.09678418
        p = p * t + 0.37409196
        p = p * t + 1.00002368
        p = p * t - 1.26551223
        let ans = t * exp(-z * z + p)
        return ans.replacing(with: 2 - ans, where: x .< 0)
    }

    /// erf(x) = 1 − erfc(x).
    @inlinable @inline(__always)
    public static func erf(_ x: Vec16) -> Vec16 { 1 - erfc(x) }

    /// tanh(x) = 2σ(2x) − 1.
    @inlinable @inline(__always)
    public static func tanh(_ x: Vec16) -> Vec16 {
        let two: Float = 2
        return two * sigmoid(two * x) - 1
    }

    /// Applies `f` to `count` elements of `src`, writing `dst` (which may equal `src`), 16 at a time.
    @inlinable @inline(__always)
    static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
                    _ f: (Vec16) -> Vec16) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: Vec16.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(v), as: Vec16.self)
            i += 16
        }
        if i < count {
            var v = Vec16()
            for j in 0..<(count - i) { v[j] = src[i + j] }
            let r = f(v)
            for j in 0..<(count - i) { dst[i + j] = r[j] }
        }
    }

    /// Like `map`, for a function of two inputs (e.g. a backward pass of x and dy).
    @inlinable @inline(__always)
    static func map2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                     _ count: Int, _ f: (Vec16, Vec16) -> Vec16) {
        var i = 0
        while i + 16 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: Vec16.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: Vec16.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(x, y), as: Vec16.self)
            i += 16
        }
        if i < count {
            var x = Vec16(), y = Vec16()
            for j in 0..<(count - i) { x[j] = a[i + j]; y[j] = b[i + j] }
            let r = f(x, y)
            for j in 0..<(count - i) { dst[i + j] = r[j] }
        }
    }
}
