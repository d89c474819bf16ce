import ArgumentParser
import CLIP
import Foundation
import TensorCore

/// `finecliper bench clip`: ViT-B/16 image encoder on 1 and 16 frames and the text encoder on the 14
/// positive/negative prompts of 7 classes, with deterministic weights; and the share of the image
/// encoder's time spent in matrix products (the same GEMM sequence replayed alone).
/// scripts/bench-clip runs PyTorch on the same work and prints the ratios.
struct BenchClip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Benchmark the CLIP ViT-B/16 image and text encoders.")

    @Option(help: "Thread count (BLAS and the Swift kernels).")
    var threads = 2

    @Option(help: "Timed repetitions (the median is reported).")
    var repeats = 3

    @Flag(help: "Print JSON lines.")
    var json = false

    static let classes = ["happiness", "sadness", "neutral", "anger", "surprise", "disgust", "fear"]

    func run() throws {
        Parallelism.setThreads(threads)
        let model = CLIPModel(config: .vitB16)
        model.fillDeterministic()
        let tokenizer = try BPETokenizer(bpeFile: "assets/bpe_simple_vocab_16e6.txt")
        let prompts = Self.classes.flatMap { ["A person with an expression of \($0)", "A person with an expression of no \($0)"] }
        let ids = prompts.map { tokenizer.tokenize($0) }
        for frames in [1, 16] {
            let images = DeterministicParameters.tensor("bench.images", [frames, 3, 224, 224], scale: 0.5, offset: 0.5)
            let ms = TensorBenchmarks.time(repeats: repeats) { _ = model.encodeImages(images) }
            let gemm = TensorBenchmarks.time(repeats: repeats) { Self.replayVisionGEMMs(model.config.vision, frames: frames) }
            report("image encoder \(frames) frame\(frames == 1 ? "" : "s")", ms, extra: ["gemm_ms": gemm, "gemm_share": gemm / ms])
        }
        let textMs = TensorBenchmarks.time(repeats: repeats) { _ = model.encodeTexts(ids) }
        report("text encoder 14 prompts", textMs, extra: [:])
    }

    func report(_ name: String, _ ms: Double, extra: [String: Double]) {
        if json {
            let fields = extra.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            print(#"{"name":"\#(name)","threads":\#(threads),"ms":\#(ms)\#(fields.isEmpty ? "" : "," + fields)}"#)
        } else {
            let share = extra["gemm_share"].map { String(format: "  (GEMM %.0f%%)", $0 * 100) } ?? ""
            print("\(name): \(String(format: "%.1f", ms)) ms with \(threads) thread(s)\(share)")
        }
    }

    /// The image encoder's matrix products alone, with the shapes of the forward pass.
    static func replayVisionGEMMs(_ c: CLIPConfig.Vision, frames: Int) {
        let t = c.tokens, d = c.width, n = frames * t, dh = d / c.heads, patches = frames * (t - 1)
        let maxElems = max(n * c.mlpWidth, frames * c.heads * t * t, n * d * 3, patches * 3 * c.patchSize * c.patchSize)
        let a = [Float](repeating: 0.01, count: maxElems), b = [Float](repeating: 0.01, count: max(d * c.mlpWidth, maxElems))
        var out = [Float](repeating: 0, count: maxElems)
        func gemm(_ m: Int, _ nn: Int, _ k: Int) {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in out.withUnsafeMutableBufferPointer { pc in
                BLAS.gemm(transB: true, m: m, n: nn, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: k, c: pc.baseAddress!, ldc: nn)
            } } }
        }
        gemm(patches, d, 3 * c.patchSize * c.patchSize)
        for _ in 0..<c.layers {
            for _ in 0..<4 { gemm(n, d, d) }
            // Per (frame, head) products run side by side, as `attention` runs them.
            let parts = Parallelism.threads
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                var scratch = [Float](repeating: 0, count: t * t)
                a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in scratch.withUnsafeMutableBufferPointer { pc in
                    for _ in stride(from: part, to: frames * c.heads, by: parts) {
                        BLAS.gemm(transB: true, m: t, n: t, k: dh, a: pa.baseAddress!, lda: dh, b: pb.baseAddress!, ldb: dh,
                                  c: pc.baseAddress!, ldc: t, parallel: false)
                        BLAS.gemm(m: t, n: dh, k: t, a: pa.baseAddress!, lda: t, b: pb.baseAddress!, ldb: dh,
                                  c: pc.baseAddress!, ldc: dh, parallel: false)
                    }
                } } }
            }
            gemm(n, c.mlpWidth, d)
            gemm(n, d, c.mlpWidth)
        }
    }
}
