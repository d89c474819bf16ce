import TensorCore
import Foundation

/// Colours by role, read from `themes/*.theme` (btop-style `key = "#RRGGBB"` lines, `#` comments).
/// Unknown keys and bad values are reported with file and line; the defaults still apply.
public struct Theme: Sendable {
    public var name: String
    public var colors: [String: RGB]

    public static let keys = ["main_bg", "main_fg", "title", "hi_fg", "inactive_fg", "border", "selected_bg", "selected_fg",
                              "ok", "error", "warning", "bar_low", "bar_high", "truth", "positive", "negative",
                              "graph_loss", "graph_ema", "graph_uar", "graph_war", "graph_lr", "heat_low", "heat_high", "landmark"]

    public static let fallback = Theme(name: "built-in", colors: [
        "main_bg": RGB(18, 22, 28), "main_fg": RGB(216, 222, 233), "title": RGB(236, 239, 244), "hi_fg": RGB(136, 192, 208),
        "inactive_fg": RGB(95, 107, 122), "border": RGB(59, 66, 82), "selected_bg": RGB(46, 58, 74), "selected_fg": RGB(255, 255, 255),
        "ok": RGB(163, 190, 140), "error": RGB(224, 108, 117), "warning": RGB(235, 203, 139), "bar_low": RGB(76, 106, 146),
        "bar_high": RGB(143, 188, 187), "truth": RGB(235, 203, 139), "positive": RGB(163, 190, 140), "negative": RGB(208, 135, 112),
        "graph_loss": RGB(136, 192, 208), "graph_ema": RGB(236, 239, 244), "graph_uar": RGB(163, 190, 140), "graph_war": RGB(180, 142, 173),
        "graph_lr": RGB(208, 135, 112), "heat_low": RGB(27, 34, 48), "heat_high": RGB(191, 97, 106), "landmark": RGB(255, 255, 0),
    ])

    public subscript(_ key: String) -> RGB { colors[key] ?? Self.fallback.colors[key] ?? RGB(255, 255, 255) }

    /// Parses a theme; problems come back as messages instead of failing the load.
    public static func parse(_ text: String, name: String, file: String) -> (Theme, [String]) {
        var colors = fallback.colors, problems: [String] = []
        for (n, raw) in textLines(text).enumerated() {
            var line = String(raw)
            if let hash = line.range(of: " #") ?? (line.hasPrefix("#") ? line.startIndex..<line.index(after: line.startIndex) : nil) {
                line = String(line[..<hash.lowerBound])
            }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { problems.append("\(file):\(n + 1): expected key = \"#RRGGBB\""); continue }
            guard keys.contains(parts[0]) else { problems.append("\(file):\(n + 1): unknown key \(parts[0])"); continue }
            guard let c = RGB(hex: parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) else {
                problems.append("\(file):\(n + 1): \(parts[1]) is not a #RRGGBB colour"); continue
            }
            colors[parts[0]] = c
        }
        return (Theme(name: name, colors: colors), problems)
    }

    public static func load(_ path: String) -> (Theme, [String]) {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return (fallback, ["\(path): cannot read the theme"]) }
        return parse(text, name: name, file: path)
    }
}
