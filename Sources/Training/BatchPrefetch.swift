import Dispatch
import FineCLIPER
import Foundation

/// Loads the next step's batch on a thread of its own while the current step computes: a queue of
/// one. A batch is a function of its clips and their draws' seeds alone, so where it was loaded
/// changes nothing in the run (the resume tests compare bit for bit with it on).
/// The trainer touches neither the loader nor the clips' files while a request is in flight, so
/// the load closure may run on the prefetch thread although it is not Sendable.
final class BatchPrefetch: @unchecked Sendable {
    typealias Load = () throws -> ClipBatch?
    private struct Job: @unchecked Sendable { let load: Load }
    private let queue = DispatchQueue(label: "finecliper.batch-prefetch")
    private let lock = NSLock()
    private var key: Int? = nil
    private var done = DispatchGroup()
    private var result: Result<ClipBatch?, Error>? = nil

    /// Starts loading the batch for `key` (a step number); one request is held at a time.
    func request(_ key: Int, _ load: @escaping Load) {
        wait()
        let group = DispatchGroup(), job = Job(load: load)
        lock.withLock { self.key = key; self.done = group; self.result = nil }
        queue.async(group: group) { [self] in
            let r = Result { try job.load() }
            lock.withLock { result = r }
        }
    }

    /// The batch for `key`: the prefetched one, or `load()` here when none was requested for it.
    func take(_ key: Int, orLoad load: Load) throws -> ClipBatch? {
        wait()
        let held = lock.withLock { () -> Result<ClipBatch?, Error>? in
            defer { self.key = nil; result = nil }
            return self.key == key ? result : nil
        }
        return try held.map { try $0.get() } ?? load()
    }

    /// Blocks until the request in flight (if any) is finished.
    func wait() {
        let group = lock.withLock { done }
        group.wait()
    }
}
