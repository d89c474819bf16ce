import Foundation
import TensorCore

/// Where a run stands, saved in every checkpoint's metadata: together with the configuration
/// (seed) it fixes everything that comes next, because the shuffle of epoch e, the sampling and
/// augmentation of each clip and the drop-path masks of each step are drawn from generators
/// seeded by (seed, epoch, position, step), not from one long stream.
public struct TrainState: Codable, Equatable, Sendable {
    /// Epochs completed.
    public var epoch = 0
    /// Optimizer steps taken.
    public var step = 0
    public var bestEpoch: Int?
    public var bestUAR: Double?
    public var bestWAR: Double?
    /// Running mean of the training loss (for loss-spike alerts).
    public var lossMean: Double?

    public init() {}

    /// The order of the training clips in `epoch` (0-based).
    public static func order(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var g = SeededGeneratorFactory.make(seed, 0x5348_5546, UInt64(epoch))
        var order = Array(0..<count)
        order.shuffle(using: &g)
        return order
    }
}

/// Generators seeded by a tuple of numbers (hashed with SplitMix64), so independent streams of
/// randomness do not depend on the order in which they are used.
public enum SeededGeneratorFactory {
    public static func make(_ parts: UInt64...) -> SeededGenerator { SeededGenerator(seed: hash(parts)) }

    public static func seed(_ parts: UInt64...) -> UInt64 { hash(parts) }

    static func hash(_ parts: [UInt64]) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for p in parts { h = splitMix64(h ^ p) }
        return h
    }
}
