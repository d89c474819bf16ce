import Foundation
internal import TOMLKit
import TensorCore

/// A settings or configuration file in TOML (parsed by TOMLKit, that is toml++) or JSON (the
/// strict reader that also guards safetensors headers: duplicate keys are errors), as one table of
/// `ConfigValue`s. Syntax errors carry their line and column; `line(of:)` finds where a key is
/// set, so a message about a value can point at its line too.
public struct ConfigDocument: Sendable {
    public enum Format: String, Sendable { case toml, json }

    public let file: String
    public let format: Format
    public let table: [String: ConfigValue]
    let lines: [Substring]

    /// Larger files are refused before parsing: settings are a few kilobytes.
    public static let maxBytes = 1 << 20

    /// Top-level keys in the order the file sets them (keys whose line cannot be found last).
    public var entries: [(key: String, value: ConfigValue, line: Int?)] {
        table.map { ($0.key, $0.value, line(of: $0.key)) }
            .sorted { ($0.2 ?? Int.max, $0.0) < ($1.2 ?? Int.max, $1.0) }
    }

    /// Parses `text`; the format is `format`, else told by the file name (.json, .toml), else JSON
    /// when the text starts with `{`.
    public init(text: String, file: String, format: Format? = nil) throws(ConfigError) {
        self.file = file
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let ext = (file as NSString).pathExtension.lowercased()
        self.format = format ?? Format(rawValue: ext)
            ?? (text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.first == "{" ? .json : .toml)
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        switch self.format {
        case .toml: table = try Self.parseTOML(body, file: file)
        case .json: table = try Self.parseJSON(body, file: file)
        }
    }

    /// Reads and parses a file (a regular file of UTF-8 text).
    public static func load(_ path: String, format: Format? = nil) throws(ConfigError) -> ConfigDocument {
        switch FileKind(path) {
        case .regular: break
        case .missing: throw ConfigError(file: path, reason: "no such file", kind: .missingInput)
        case .directory: throw ConfigError(file: path, reason: "a folder, not a settings file")
        case let .other(what), let .unreachable(what): throw ConfigError(file: path, reason: what)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError(file: path, reason: "cannot be read", kind: .io) }
        guard data.count <= maxBytes else { throw ConfigError(file: path, reason: "\(data.count) bytes; settings files are at most \(maxBytes)") }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: path, reason: "not UTF-8 text") }
        return try ConfigDocument(text: text, file: path, format: format)
    }

    /// The 1-based line on which `key` is set at the top level, if it can be found.
    public func line(of key: String) -> Int? {
        let names = [key, "\"\(key)\"", "'\(key)'"]
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            switch format {
            case .toml:
                for name in names where line.hasPrefix(name) {
                    if line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") { return i + 1 }
                }
            case .json:
                var rest = Substring(line)
                while let r = rest.range(of: "\"\(key)\"") {
                    rest = rest[r.upperBound...]
                    if rest.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return i + 1 }
                }
            }
        }
        return nil
    }

    /// "file:line" of a top-level key (the file alone when the line cannot be found), for messages.
    public func place(of key: String) -> String { file + (line(of: key).map { ":\($0)" } ?? "") }

    /// An error about the value of `key`, at its line.
    public func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: line(of: key), reason: "\(key): \(reason)")
    }

    static func parseTOML(_ text: String, file: String) throws(ConfigError) -> [String: ConfigValue] {
        if let (line, c) = controlCharacter(text) {
            // TOML allows none outside tab and line ends, and toml++ aborts the process on some
            // (`[` then U+0001 fails an assertion), so they are refused before it sees them.
            throw ConfigError(file: file, line: line, reason: String(format: "control character U+%04X (TOML allows tab and line ends only)", c))
        }
        if let (line, reason) = TOMLGuard.problem(text) { throw ConfigError(file: file, line: line, reason: reason) }
        if let line = nulEscapeLine(text) {
            // TOMLKit hands strings over as C strings, which a NUL would cut short without a word.
            throw ConfigError(file: file, line: line, reason: "a \\u0000 escape (NUL) is not allowed in settings")
        }
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError(file: file, line: Int(e.source.begin.line), column: Int(e.source.begin.column), reason: e.description)
        } catch {
            throw ConfigError(file: file, reason: "\(error)")
        }
        return try table(root, file: file)
    }

    /// The line and value of the first control character other than tab, LF and CR.
    static func controlCharacter(_ text: String) -> (Int, UInt32)? {
        var line = 1
        for u in text.unicodeScalars {
            if u == "\n" { line += 1; continue }
            if (u.value < 0x20 && u != "\t" && u != "\r") || u.value == 0x7F { return (line, u.value) }
        }
        return nil
    }

    /// The line of the first `\u0000` or `\U00000000` escape (a backslash that is not itself escaped).
    static func nulEscapeLine(_ text: String) -> Int? {
        let b = Array(text.utf8)
        var line = 1, i = 0
        while i < b.count {
            if b[i] == 0x0A { line += 1 }
            if b[i] == 0x5C {   // backslash: look at what it escapes, then skip both
                let rest = b[(i + 1)...].prefix(9)
                if rest.starts(with: Array("u0000".utf8)) || rest.starts(with: Array("U00000000".utf8)) { return line }
                i += 2
                continue
            }
            i += 1
        }
        return nil
    }

    static func table(_ t: TOMLTable, file: String) throws(ConfigError) -> [String: ConfigValue] {
        var out: [String: ConfigValue] = [:]
        for (key, value) in t { out[key] = try self.value(value, key: key, file: file) }
        return out
    }

    static func value(_ v: any TOMLValueConvertible, key: String, file: String) throws(ConfigError) -> ConfigValue {
        switch v.type {
        case .string: return .string(v.string ?? "")
        case .int: return .integer(v.int ?? 0)
        case .double: return .number(v.double ?? 0)
        case .bool: return .bool(v.bool ?? false)
        case .table: return .table(try table(v.table ?? TOMLTable(), file: file))
        case .array:
            var items: [ConfigValue] = []
            for item in v.array.map(Array.init) ?? [] { items.append(try value(item, key: key, file: file)) }
            return .array(items)
        case .date, .time, .dateTime:
            throw ConfigError(file: file, reason: "\(key): dates and times are not settings")
        }
    }

    static func parseJSON(_ text: String, file: String) throws(ConfigError) -> [String: ConfigValue] {
        let bytes = Array(text.utf8)
        let json: StrictJSON
        do { json = try StrictJSON.parse(bytes) } catch let e as StrictJSON.SyntaxError {
            let before = bytes.prefix(e.offset)
            let line = before.count(where: { $0 == 0x0A }) + 1
            let column = before.count - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
            throw ConfigError(file: file, line: line, column: column, reason: e.reason)
        } catch {
            throw ConfigError(file: file, reason: "\(error)")
        }
        guard case let .object(pairs) = json else { throw ConfigError(file: file, reason: "expected a JSON object of settings") }
        return try object(pairs, file: file)
    }

    static func object(_ pairs: [(key: String, value: StrictJSON)], file: String) throws(ConfigError) -> [String: ConfigValue] {
        var out: [String: ConfigValue] = [:]
        for (key, value) in pairs {
            if let v = try self.value(value, key: key, file: file) { out[key] = v }
        }
        return out
    }

    /// null means "not set" (the default applies).
    static func value(_ v: StrictJSON, key: String, file: String) throws(ConfigError) -> ConfigValue? {
        switch v {
        case let .string(s): return .string(s)
        case let .bool(b): return .bool(b)
        case .null: return nil
        case let .number(text):
            if let i = Int(text) { return .integer(i) }
            guard let d = Double(text), d.isFinite else { throw ConfigError(file: file, reason: "\(key): \(text) is not a usable number") }
            return .number(d)
        case let .array(items):
            var out: [ConfigValue] = []
            for item in items { if let x = try value(item, key: key, file: file) { out.append(x) } }
            return .array(out)
        case let .object(pairs): return .table(try object(pairs, file: file))
        }
    }
}
