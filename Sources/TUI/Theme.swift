import ConfigFiles
import Foundation
import TensorCore

/// Colours by role, read from `themes/*.theme` (TOML: btop-style `key = "#RRGGBB"` lines, `#`
/// comments). Unknown keys and bad values are reported with file and line; the defaults still apply.
public struct Theme: Sendable {
    public var name: String
    public var colors: [String: RGB]

    public static let keys = ["main_bg", "main_fg", "title", "hi_fg", "inactive_fg", "border", "selected_bg", "selected_fg",
                              "ok", "error", "warning", "bar_low", "bar_high", "truth", "positive", "negative",
                              "graph_loss", "graph_ema", "graph_uar", "graph_war", "graph_lr", "heat_low", "heat_high", "landmark", "landmark_truth"]

    public static let fallback = Theme(name: "built-in", colors: [
        "main_bg": RGB(18, 22, 28), "main_fg": RGB(216, 222, 233), "title": RGB(236, 239, 244), "hi_fg": RGB(136, 192, 208),
        "inactive_fg": RGB(95, 107, 122), "border": RGB(59, 66, 82), "selected_bg": RGB(46, 58, 74), "selected_fg": RGB(255, 255, 255),
        "ok": RGB(163, 190, 140), "error": RGB(224, 108, 117), "warning": RGB(235, 203, 139), "bar_low": RGB(76, 106, 146),
        "bar_high": RGB(143, 188, 187), "truth": RGB(235, 203, 139), "positive": RGB(163, 190, 140), "negative": RGB(208, 135, 112),
        "graph_loss": RGB(136, 192, 208), "graph_ema": RGB(236, 239, 244), "graph_uar": RGB(163, 190, 140), "graph_war": RGB(180, 142, 173),
        "graph_lr": RGB(208, 135, 112), "heat_low": RGB(27, 34, 48), "heat_high": RGB(191, 97, 106), "landmark": RGB(255, 255, 0),
        "landmark_truth": RGB(0, 255, 255),
    ])

    public subscript(_ key: String) -> RGB { colors[key] ?? Self.fallback.colors[key] ?? RGB(255, 255, 255) }

    /// Parses a theme (TOML); problems come back as messages instead of failing the load. A
    /// file that is not TOML keeps every default colour.
    public static func parse(_ text: String, name: String, file: String) -> (Theme, [String]) {
        let doc: ConfigDocument
        do { doc = try ConfigDocument(text: text, file: file, format: .toml) } catch {
            return (Theme(name: name, colors: fallback.colors), ["\(error); the theme's own colours are not used"])
        }
        var colors = fallback.colors, problems: [String] = []
        for (key, value, _) in doc.entries {
            guard keys.contains(key) else { problems.append("\(doc.place(of: key)): unknown key \(key)"); continue }
            guard let hex = value.string, let c = RGB(hex: hex) else {
                problems.append("\(doc.place(of: key)): \(value.string ?? value.typeName) is not a #RRGGBB colour"); continue
            }
            colors[key] = c
        }
        return (Theme(name: name, colors: colors), problems)
    }

    public static func load(_ path: String) -> (Theme, [String]) {
        let name = PathText.stem(path)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return (fallback, ["\(path): cannot read the theme"]) }
        return parse(text, name: name, file: path)
    }
}
