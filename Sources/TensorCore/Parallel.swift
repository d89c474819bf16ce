import Foundation

/// Splits `0..<count` into contiguous chunks and runs them on both cores when the work is large
/// enough to pay for the dispatch (a few microseconds); small work runs inline.
@inlinable
func parallelChunks(_ count: Int, minPerChunk: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let chunks = min(Parallelism.threads, max(1, count / max(minPerChunk, 1)))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    let step = (count + chunks - 1) / chunks
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * step
            let hi = min(count, lo + step)
            if lo < hi { task.value(lo..<hi) }
        }
    }
}

/// `f` of every index in `0..<count`, computed on every core in contiguous chunks, in order.
/// For independent, sizeable items (a batch's rendered images).
public func parallelMap<T>(_ count: Int, _ f: (Int) -> T) -> [T] {
    var out = [T?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { buffer in
        let slots = UncheckedSendable(buffer)
        parallelChunks(count, minPerChunk: 1) { range in
            for i in range { slots.value[i] = f(i) }
        }
    }
    return out.map { $0! }
}

/// Carries a closure into `concurrentPerform`; callers guarantee the chunks touch disjoint memory.
@usableFromInline
struct UncheckedSendable<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}

/// How many threads the kernels may use (matrix products included, see `BLAS`).
public enum Parallelism {
    /// Read once from the machine's active processor count.
    public static let available = ProcessInfo.processInfo.activeProcessorCount
    nonisolated(unsafe) static var override: Int? = nil

    /// Threads used by the Swift kernels: this thread's own setting (`withThreads`), else the
    /// process's.
    public static var threads: Int {
        if let local = pthread_getspecific(localKey) { return Int(bitPattern: local) }
        return override ?? available
    }

    /// Runs `body` with the kernels called from this thread using `n` threads. Work that is
    /// already spread over every core (one clip per thread) takes 1, so the kernels do not split
    /// again and oversubscribe the cores.
    public static func withThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
        let saved = pthread_getspecific(localKey)
        pthread_setspecific(localKey, UnsafeRawPointer(bitPattern: max(1, n)))
        defer { pthread_setspecific(localKey, saved) }
        return try body()
    }

    private static let localKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Sets the thread count for the Swift kernels and the split of large matrix products; used by
    /// benchmarks to compare one and two threads. Not for concurrent use.
    public static func setThreads(_ n: Int) {
        override = max(1, n)
    }
}
