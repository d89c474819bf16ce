import ConfigFiles
import Foundation

/// `train --config FILE`: a TOML or JSON file of TrainConfig's fields. A run folder's own
/// config.json is such a file, so a run can be repeated from it.
extension TrainConfig {
    /// The names a file may set: TrainConfig's fields as config.json spells them (`adapterRate`).
    public static var fileKeys: [String] { Mirror(reflecting: TrainConfig(data: "", model: "")).children.compactMap(\.label) }

    /// Folds the spellings people use for one name (`adapterRate`, `adapter-rate`, `adapter_rate`).
    static func folded(_ key: String) -> String { key.lowercased().filter { $0 != "-" && $0 != "_" } }

    /// `base` with every key the file sets replaced. Unknown keys, values of the wrong type and a
    /// configuration that `validate()` refuses are errors at the key's line.
    public static func overlay(_ doc: ConfigDocument, on base: TrainConfig) throws(ConfigError) -> TrainConfig {
        let known = Dictionary(uniqueKeysWithValues: fileKeys.map { (folded($0), $0) })
        var table: [String: ConfigValue]
        do { table = try JSONDecoder().decode([String: ConfigValue].self, from: JSONEncoder().encode(base)) } catch {
            throw ConfigError(file: doc.file, reason: "internal: \(error)")
        }
        let defaults = table
        var spelling: [String: String] = [:]
        var config = base
        // One key at a time, so that a value the decoder refuses is blamed on its own key and line.
        for (key, value, _) in doc.entries {
            guard let name = known[folded(key)] else {
                throw doc.error(key, "not a training setting (settings: \(fileKeys.joined(separator: ", ")))")
            }
            if let earlier = spelling[name] { throw doc.error(key, "set twice (also as \(earlier))") }
            spelling[name] = key
            table[name] = value
            do { config = try JSONDecoder().decode(TrainConfig.self, from: JSONEncoder().encode(table)) } catch let e as DecodingError {
                throw doc.error(key, reason(e, expected: defaults[name], given: value))
            } catch {
                throw doc.error(key, "\(error)")
            }
        }
        if let problem = config.validate() { throw ConfigError(file: doc.file, reason: problem) }
        return config
    }

    static func reason(_ e: DecodingError, expected: ConfigValue?, given: ConfigValue) -> String {
        switch e {
        case let .typeMismatch(type, _), let .valueNotFound(type, _): return "expected \(describe(type))"
        case let .dataCorrupted(c):
            // A number the field's type cannot hold is reported without a path by JSONDecoder.
            if let expected, expected.typeName != given.typeName { return "expected \(expected.typeName), not \(given.typeName)" }
            return c.debugDescription
        default: return "\(e)"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is [Int].Type: return "a list of integers"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "a value of type \(type)"
        }
    }
}
