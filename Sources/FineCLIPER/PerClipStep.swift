import Foundation
import TensorCore

/// A training step computed as one forward/backward pass per clip, with up to `threads` clips
/// side by side. Each pass writes its gradients to a `GradientStore` of its own; the stores are
/// added into the parameters in clip order afterwards, so the step's result does not depend on
/// the thread count (bit for bit, tested). The class prompts are encoded once on a tape of their
/// own, and the clips' gradients for their embeddings are summed in clip order and sent back
/// through the text tower once. The video–description contrastive loss compares every clip with
/// every other: each pass computes it over the whole batch with the other clips' embeddings as
/// constants (a `BatchShard` per clip, the same split the data-parallel trainer uses across
/// processes), which sums to the whole batch's gradient.
public struct PerClipStep {
    public let model: FineCLIPERModel
    public let prompts: ClassPrompts
    public let threads: Int
    public let recompute: Recomputation

    public init(model: FineCLIPERModel, prompts: ClassPrompts, threads: Int, recompute: Recomputation) {
        self.model = model; self.prompts = prompts; self.threads = threads; self.recompute = recompute
    }

    /// Forward and backward for every clip of `batch`, gradients added into the parameters.
    /// `firstClip` is the batch's first clip in the global batch of `totalClips` (data-parallel
    /// training), and `outer` gathers rows across processes; it is called on this thread only.
    /// Returns the batch's share of the global mean loss.
    public func run(_ batch: ClipBatch, seed: UInt64, firstClip: Int = 0, totalClips: Int? = nil,
             outer: ((Tensor) throws -> (all: Tensor, first: Int))? = nil) throws -> Double {
        let n = batch.clips, total = totalClips ?? batch.clips
        let head = Tape()
        let encoded = try model.encodePrompts(prompts, tape: head, mode: .train(seed: seed, firstClip: firstClip))
        let rendezvous = ClipRendezvous(clips: n, threads: threads)
        let results = rendezvous.run { i -> ClipResult in
            let store = GradientStore()
            let tape = Tape(store: store)
            let positive = tape.input(encoded.positive.value), negative = tape.input(encoded.negative.value)
            let shard = BatchShard(weight: 1 / Float(total), count: total) { try rendezvous.gather(i, $0) }
            let pass = try model.forward(batch.clip(i), prompts: prompts, tape: tape, mode: .train(seed: seed, firstClip: firstClip + i),
                                         recompute: recompute, shard: shard,
                                         encoded: EncodedPrompts(positive: positive, negative: negative))
            let loss = Double(pass.output.loss ?? .nan)
            if loss.isFinite, let l = pass.loss { tape.backward(l) }
            return ClipResult(loss: loss, store: store, positive: tape.gradient(of: positive), negative: tape.gradient(of: negative))
        } outer: { rows -> (all: Tensor, first: Int) in
            guard let outer else { return (rows, 0) }
            return try outer(rows)
        }
        let clips = try results.get()
        let loss = clips.reduce(0) { $0 + $1.loss }
        guard loss.isFinite else { return loss }
        var seedPositive = Tensor(zeros: encoded.positive.shape), seedNegative = Tensor(zeros: encoded.negative.shape)
        for c in clips {
            c.store.addToParameters()
            if let g = c.positive { seedPositive.addScaled(g) }
            if let g = c.negative { seedNegative.addScaled(g) }
        }
        let both = head.concat([encoded.positive, encoded.negative], axis: 0)
        head.backward(both, seed: concat([seedPositive, seedNegative], axis: 0))
        return loss
    }

    struct ClipResult {
        let loss: Double
        let store: GradientStore
        let positive: Tensor?
        let negative: Tensor?
    }
}

/// Runs one job per clip, each on a thread of its own but at most `threads` computing at once,
/// and gathers per-clip rows across the jobs: a job that reaches `gather` gives up its turn until
/// every clip's row is in (so fewer turns than clips cannot deadlock), the calling thread joins
/// the rows in clip order (and across processes through `outer`), and every job goes on with the
/// whole batch's rows. A job that fails wakes the others, which fail too.
final class ClipRendezvous: @unchecked Sendable {
    let clips: Int
    /// Jobs computing at once.
    let concurrency: Int
    private let turns: DispatchSemaphore
    private let condition = NSCondition()
    private var rows: [Tensor?]
    private var arrived = 0
    private var finished = 0
    private var gathered: [(all: Tensor, first: Int)] = []
    private var failure: Error? = nil

    init(clips: Int, threads: Int) {
        self.clips = clips
        concurrency = max(1, min(threads, clips))
        turns = DispatchSemaphore(value: concurrency)
        rows = Array(repeating: nil, count: clips)
    }

    struct Cancelled: Error {}

    /// Each job's result in clip order, or the first failure. Kernels inside a job use one thread
    /// when jobs run side by side, so the cores are not split twice.
    func run<T>(_ job: @escaping (Int) throws -> T, outer: (Tensor) throws -> (all: Tensor, first: Int)) -> Result<[T], Error> {
        var results = [Result<T, Error>?](repeating: nil, count: clips)
        let slots = UncheckedBox(results)
        let kernelThreads = concurrency > 1 ? 1 : Parallelism.threads
        for i in 0..<clips {
            let body = UncheckedBox(job)
            let thread = Thread { [self] in
                turns.wait()
                let r = Result { try Parallelism.withThreads(kernelThreads) { try body.value(i) } }
                turns.signal()
                condition.withLock {
                    slots.value[i] = r
                    if case .failure(let e) = r, failure == nil { failure = e }
                    finished += 1
                    condition.broadcast()
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        serve(outer)
        // The first failure is a job's own error or the join's: jobs cancel only after it is set.
        if let failure = condition.withLock({ failure }) { return .failure(failure) }
        results = condition.withLock { slots.value }
        return Result { try results.map { try $0!.get() } }
    }

    /// Joins each round of rows on the calling thread until every job has finished.
    private func serve(_ outer: (Tensor) throws -> (all: Tensor, first: Int)) {
        condition.lock()
        while finished < clips {
            if arrived == clips {
                let local = concat(rows.map { $0! }, axis: 0)
                arrived = 0
                condition.unlock()
                let joined = Result { try outer(local) }
                condition.lock()
                switch joined {
                case let .success(r): gathered.append(r)
                case let .failure(e): failure = failure ?? e
                }
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        condition.unlock()
    }

    /// Clip `i`'s row `x` ([1, n]) joined with every clip's; returns the whole batch's rows and
    /// where clip `i`'s row is.
    func gather(_ i: Int, _ x: Tensor) throws -> (all: Tensor, first: Int) {
        turns.signal()
        defer { turns.wait() }
        condition.lock()
        defer { condition.unlock() }
        let round = gathered.count
        rows[i] = x
        arrived += 1
        condition.broadcast()
        while gathered.count == round && failure == nil { condition.wait() }
        guard gathered.count > round else { throw Cancelled() }
        let r = gathered[round]
        return (r.all, r.first + i)
    }
}

/// Carries a value between threads whose use of it the caller keeps apart.
private final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
