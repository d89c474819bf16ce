import ArgumentParser
import Foundation
import TensorCore

/// `finecliper bench tensor`: GEMM GFLOP/s at ViT-B/16 shapes and the throughput of the elementwise
/// kernels on ViT-sized tensors, with one and two threads. scripts/bench-tensor runs this next to
/// OpenBLAS called from C and PyTorch on the same shapes and prints the ratios.
struct BenchTensor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tensor",
        abstract: "Benchmark GEMM and the elementwise kernels at ViT-B/16 sizes.")

    @Option(help: "Thread counts to measure, comma-separated.")
    var threads = "1,2"

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var repeats = 7

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        let counts = threads.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        guard !counts.isEmpty else { throw ValidationError("--threads needs positive integers, e.g. 1,2") }
        if !json { print("OpenBLAS core: \(BLAS.coreName); median of \(repeats) runs") }
        for n in counts {
            Parallelism.setThreads(n)
            for r in TensorBenchmarks.all(repeats: repeats) {
                if json {
                    print(#"{"name":"\#(r.name)","threads":\#(n),"ms":\#(r.milliseconds),"rate":\#(r.rate),"unit":"\#(r.unit)"}"#)
                } else {
                    print(String(format: "%-34@ %d thread%@  %9.3f ms  %8.1f %@", r.name as NSString, n,
                                 (n == 1 ? " " : "s") as NSString, r.milliseconds, r.rate, r.unit as NSString))
                }
            }
        }
    }
}

/// One measurement: the median wall time and a rate derived from it.
struct BenchResult {
    let name: String
    let milliseconds: Double
    let rate: Double
    let unit: String
}

enum TensorBenchmarks {
    /// Median wall time of `body` in milliseconds, after one warm-up run.
    static func time(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var samples: [Double] = []
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return samples.sorted()[samples.count / 2]
    }

    static func all(repeats: Int) -> [BenchResult] {
        var results: [BenchResult] = []
        // GEMM: (M, K, N) of ViT-B/16 qkv for one frame, and fc1 for a 16-frame batch.
        for (m, k, n) in [(197, 768, 2304), (3152, 768, 3072)] {
            let x = DeterministicParameters.tensor("x", [m, k]), w = DeterministicParameters.tensor("w", [n, k], scale: 0.05)
            let flops = 2.0 * Double(m * n * k)
            let apiMs = time(repeats: repeats) { _ = linear(x, weight: w) }
            results.append(BenchResult(name: "linear \(m)x\(k)·\(k)x\(n)", milliseconds: apiMs, rate: flops / apiMs / 1e6, unit: "GFLOP/s"))
            var c = Tensor(zeros: [m, n])
            let rawMs = time(repeats: repeats) {
                x.withUnsafeBufferPointer { px in
                    w.withUnsafeBufferPointer { pw in
                        c.withUnsafeMutableBufferPointer { pc in
                            BLAS.gemm(transB: true, m: m, n: n, k: k, a: px.baseAddress!, lda: k,
                                      b: pw.baseAddress!, ldb: k, c: pc.baseAddress!, ldc: n)
                        }
                    }
                }
            }
            results.append(BenchResult(name: "cblas_sgemm \(m)x\(k)·\(k)x\(n)", milliseconds: rawMs, rate: flops / rawMs / 1e6, unit: "GFLOP/s"))
        }
        // Elementwise work on the tensors of a 16-frame ViT-B/16 forward pass.
        let tokens = DeterministicParameters.tensor("tokens", [3152, 768], scale: 3)
        let gamma = DeterministicParameters.tensor("g", [768], scale: 0.1, offset: 1), beta = DeterministicParameters.tensor("b", [768], scale: 0.1)
        let hidden = DeterministicParameters.tensor("hidden", [3152, 3072], scale: 4)
        let scores = DeterministicParameters.tensor("scores", [16 * 12 * 197, 197], scale: 5)
        let cases: [(String, Tensor, () -> Void)] = [
            ("layer_norm 3152x768", tokens, { _ = layerNorm(tokens, gamma: gamma, beta: beta) }),
            ("softmax 37824x197", scores, { _ = softmax(scores) }),
            ("gelu 3152x3072", hidden, { _ = gelu(hidden) }),
            ("gelu_tanh 3152x3072", hidden, { _ = geluTanh(hidden) }),
            ("quick_gelu 3152x3072", hidden, { _ = quickGelu(hidden) }),
        ]
        for (name, input, body) in cases {
            let ms = time(repeats: repeats, body)
            results.append(BenchResult(name: name, milliseconds: ms, rate: Double(input.count) / ms / 1e3, unit: "Melem/s"))
        }
        return results
    }
}
