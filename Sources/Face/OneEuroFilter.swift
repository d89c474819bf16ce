import Foundation

/// The One-Euro filter (Casiez, Roussel & Vogel, CHI 2012): an exponential smoother whose cut-off
/// rises with speed, so still landmarks stop jittering while fast movements keep little lag.
/// Works on a vector of values (all 136 landmark coordinates) with one time stamp per sample.
public struct OneEuroFilter: Sendable {
    public var minCutoff: Double
    public var beta: Double
    public var derivativeCutoff: Double
    var previous: [Double]? = nil
    var previousDerivative: [Double] = []
    var previousTime: Double = 0

    /// Defaults tuned on face videos in pixels: 1 Hz minimum cut-off, speed coefficient 0.05.
    public init(minCutoff: Double = 1, beta: Double = 0.05, derivativeCutoff: Double = 1) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    static func alpha(cutoff: Double, dt: Double) -> Double {
        let tau = 1 / (2 * Double.pi * cutoff)
        return 1 / (1 + tau / dt)
    }

    /// The smoothed values at time `t` (seconds). A time that does not advance resets the filter.
    public mutating func filter(_ x: [Double], at t: Double) -> [Double] {
        guard let prev = previous, prev.count == x.count, t > previousTime else {
            previous = x
            previousDerivative = [Double](repeating: 0, count: x.count)
            previousTime = t
            return x
        }
        let dt = t - previousTime
        let aD = Self.alpha(cutoff: derivativeCutoff, dt: dt)
        var out = x
        for i in x.indices {
            let dx = (x[i] - prev[i]) / dt
            let d = aD * dx + (1 - aD) * previousDerivative[i]
            previousDerivative[i] = d
            let a = Self.alpha(cutoff: minCutoff + beta * abs(d), dt: dt)
            out[i] = a * x[i] + (1 - a) * prev[i]
        }
        previous = out
        previousTime = t
        return out
    }

    public mutating func reset() { previous = nil }
}
