import TensorCore
import Foundation

/// Fine-grained descriptions per clip (e.g. from a multimodal LLM), read from JSON Lines
/// (`{"id": "...", "description": "..."}`, "text" also accepted) or CSV (`id,description` with a
/// header row). Duplicate ids are an error naming both lines.
public struct DescriptionStore: Sendable {
    public let source: String
    public private(set) var texts: [String: String]

    public init(texts: [String: String], source: String = "<memory>") {
        self.texts = texts
        self.source = source
    }

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.missing(path: path, what: "a descriptions file (.jsonl or .csv)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError.badLine(file: path, line: 1, reason: "the file is not UTF-8 text")
        }
        source = path
        texts = [:]
        var firstLine: [String: Int] = [:]
        func add(_ id: String, _ description: String, _ line: Int) throws {
            if let first = firstLine[id] { throw DatasetError.duplicateID(file: path, line: line, id: id, firstLine: first) }
            firstLine[id] = line
            texts[id] = description
        }
        if path.lowercased().hasSuffix(".csv") {
            let rows: [(line: Int, fields: [String])]
            do { rows = try CSVTable.parse(text) } catch let e as CSVError {
                throw DatasetError.badLine(file: path, line: e.line, reason: e.reason)
            }
            guard let header = rows.first else { return }
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let idCol = names.firstIndex(of: "id") ?? names.firstIndex(of: "clip") ?? names.firstIndex(of: "video"),
                  let textCol = names.firstIndex(of: "description") ?? names.firstIndex(of: "text") ?? names.firstIndex(of: "caption") else {
                throw DatasetError.badLine(file: path, line: header.line, reason: "the header needs an id column and a description (or text) column")
            }
            for row in rows.dropFirst() {
                guard row.fields.count > max(idCol, textCol) else {
                    throw DatasetError.badLine(file: path, line: row.line, reason: "expected \(names.count) fields, found \(row.fields.count)")
                }
                let id = row.fields[idCol].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty else { throw DatasetError.badLine(file: path, line: row.line, reason: "empty clip id") }
                try add(id, row.fields[textCol], row.line)
            }
        } else {
            for (n, raw) in textLines(text).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if line.isEmpty { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw DatasetError.badLine(file: path, line: n + 1, reason: "not a JSON object")
                }
                let idValue = object["id"] ?? object["clip"] ?? object["video"]
                let id = (idValue as? String) ?? (idValue as? NSNumber)?.stringValue
                guard let id, !id.isEmpty else { throw DatasetError.badLine(file: path, line: n + 1, reason: "no \"id\" field") }
                guard let description = (object["description"] ?? object["text"] ?? object["caption"]) as? String else {
                    throw DatasetError.badLine(file: path, line: n + 1, reason: "no \"description\" (or \"text\") string")
                }
                try add(id, description, n + 1)
            }
        }
    }

    public subscript(id: String) -> String? { texts[id] }

    /// Checks that every described clip exists among `ids`, so a description file made for
    /// another dataset or fold is caught instead of silently matching nothing.
    public func validate(against ids: Set<String>) throws {
        let unknown = texts.keys.filter { !ids.contains($0) }.sorted()
        if !unknown.isEmpty { throw DatasetError.unknownIDs(file: source, ids: unknown) }
    }
}
