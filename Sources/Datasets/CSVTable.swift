import TensorCore

/// A small RFC 4180 reader: comma-separated fields, double-quoted fields with "" escapes and
/// embedded commas or newlines, CRLF or LF line ends, and a UTF-8 byte-order mark.
public enum CSVTable {
    /// Rows of fields with the 1-based line on which each row starts.
    public static func parse(_ text: String) throws -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var field = "", fields: [String] = []
        var inQuotes = false, line = 1, rowStart = 1, justClosedQuote = false
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((rowStart, fields)) }
            fields = []; field = ""
        }
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false; justClosedQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty && !justClosedQuote {
                inQuotes = true
            } else if c == "," {
                fields.append(field); field = ""; justClosedQuote = false
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                endRow()
                line += 1; rowStart = line; justClosedQuote = false
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw CSVError(line: rowStart, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }
}

public struct CSVError: DomainError {
    public var kind: FailureKind { .badData }
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}
