import Foundation

/// A one-line progress bar with rate and ETA on stderr when it is a terminal; plain occasional
/// lines otherwise (so logs of piped runs stay readable).
final class ProgressBar {
    var label: String
    let start = Date()
    let isTerminal = isatty(STDERR_FILENO) != 0
    var lastDraw = Date.distantPast
    var lastPercent = -1

    init(label: String) { self.label = label }

    func update(_ done: Int, of total: Int) {
        guard total > 0 else { return }
        let now = Date()
        let percent = done * 100 / total
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = now
            let elapsed = now.timeIntervalSince(start), rate = Double(done) / max(elapsed, 1e-9)
            let eta = rate > 0 ? Double(total - done) / rate : 0
            let width = 30, filled = width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\(label) \(bar) \(done)/\(total) \(String(format: "%.1f", rate))/s ETA \(Self.clock(eta))\u{1B}[K")
        } else if percent / 10 != lastPercent / 10 || done == total {
            lastPercent = percent
            write("\(label): \(done)/\(total) (\(percent)%)\n")
        }
    }

    func finish() {
        if isTerminal && lastDraw != .distantPast { write("\n") }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
