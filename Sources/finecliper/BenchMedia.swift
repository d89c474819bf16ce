import ArgumentParser
import Foundation
import Media
import TensorCore

/// `finecliper bench media VIDEO…`: decode throughput (decode + RGB conversion of every frame) and
/// the time to open a clip and sample 16 frames as DFER-CLIP's test loader does. scripts/bench-media
/// runs it beside the ffmpeg program decoding the same files to rawvideo RGB24.
struct BenchMedia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Benchmark video decoding and 16-frame sampling.")

    @Argument(help: "Video files to decode.")
    var videos: [String]

    @Option(help: "Decoder thread counts to measure, comma-separated.")
    var threads = "1,2"

    @Option(help: "Timed repetitions (the median is reported).")
    var repeats = 3

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    func run() throws {
        let counts = threads.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        for video in videos {
            for n in counts {
                var frames = 0
                let ms = TensorBenchmarks.time(repeats: repeats) {
                    frames = 0
                    guard let reader = try? VideoReader(path: video, threads: n) else { return }
                    _ = try? reader.forEachFrame { _, _ in frames += 1 }
                }
                report(video: video, name: "decode", threads: n, ms: ms, rate: Double(frames) / ms * 1000, unit: "frames/s")
            }
            let sampleMs = TensorBenchmarks.time(repeats: repeats) {
                guard let reader = try? VideoReader(path: video, threads: 1) else { return }
                _ = try? reader.clip(FrameSampler.test(frameCount: reader.frameCount))
            }
            report(video: video, name: "open+sample16", threads: 1, ms: sampleMs, rate: 16 / sampleMs * 1000, unit: "frames/s")
        }
    }

    func report(video: String, name: String, threads: Int, ms: Double, rate: Double, unit: String) {
        let file = PathText.lastComponent(video)
        if json {
            print(#"{"video":"\#(file)","name":"\#(name)","threads":\#(threads),"ms":\#(ms),"rate":\#(rate),"unit":"\#(unit)"}"#)
        } else {
            print("\(file)  \(name)  \(threads) thread(s)  \(String(format: "%.1f", ms)) ms  \(String(format: "%.1f", rate)) \(unit)")
        }
    }
}
