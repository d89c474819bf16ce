import ConfigFiles
import Foundation
import TensorCore
import TUI

/// config.toml and keys.toml under $XDG_CONFIG_HOME/finecliper (else ~/.config/finecliper),
/// written with comments on first run. Unknown keys and bad values are reported (file and line)
/// and the defaults apply.
struct Settings {
    var display = DisplaySettings()
    var keymap = Keymap()
    var problems: [String] = []

    static var folder: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/finecliper"
    }

    static let configTemplate = """
        # finecliper settings. Delete this file to get the defaults back.

        # Colour theme: a file name from themes/ without .theme (dark, light, tty).
        theme = "dark"

        # Colour depth: "auto" (ask the terminal), "direct", "256" or "16".
        colors = "auto"

        """

    static var keysTemplate: String {
        "# finecliper keys: action = \"key\" or action = [\"key\", \"key\"].\n"
            + "# Keys: letters and symbols as typed, up down left right enter esc tab space home end pgup pgdn f1 ctrl-c.\n\n"
            + Action.allCases.map { a in "# " + a.rawValue + " = [" + Keymap.defaults[a, default: []].map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
            .joined(separator: "\n") + "\n"
    }

    static func load() -> Settings {
        var s = Settings()
        let dir = folder, config = dir + "/config.toml", keys = dir + "/keys.toml"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: config) { try? AtomicFileWrite.text(configTemplate, to: config) }
        if !FileManager.default.fileExists(atPath: keys) { try? AtomicFileWrite.text(keysTemplate, to: keys) }
        if FileManager.default.fileExists(atPath: config) {
            do { s.problems += s.display.apply(try ConfigDocument.load(config, format: .toml)) } catch { s.problems.append("\(error); the default settings apply") }
        }
        if FileManager.default.fileExists(atPath: keys) {
            do { s.problems += s.keymap.apply(try ConfigDocument.load(keys, format: .toml)) } catch { s.problems.append("\(error); the default keys apply") }
        }
        return s
    }

    /// Every theme in themes/ (next to assets/), the chosen one first; the built-in one if none.
    /// Problems in theme files and a name that names no theme come back as messages.
    static func themes(first name: String) -> (themes: [Theme], problems: [String]) {
        guard let dir = Assets.repositoryFolder("themes") else { return ([Theme.fallback], ["no themes/ folder found: using the built-in colours"]) }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".theme") }.sorted()
        let loaded = files.map { Theme.load(dir + "/" + $0) }
        var themes = loaded.map(\.0), problems = loaded.flatMap(\.1)
        if let i = themes.firstIndex(where: { $0.name == name }) { themes.insert(themes.remove(at: i), at: 0) }
        else { problems.append("no theme named \(name) in \(dir) (there are: \(themes.map(\.name).joined(separator: ", "))); using \(themes.first?.name ?? "the built-in colours")") }
        return (themes.isEmpty ? [Theme.fallback] : themes, problems)
    }

    static var files: [String] { [folder + "/config.toml", folder + "/keys.toml"] }
}
