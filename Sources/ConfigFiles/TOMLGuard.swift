/// toml++ 3 (inside TOMLKit 0.6.0) fails an assertion, which aborts the process, on two kinds of
/// malformed input the `tuisettings` fuzz target found: a table header whose name starts with a
/// character that can start no key (`[!`, `[ é]`, `[[+`), and a `}` where an array expects an
/// element (`a = [}`, `a = [1, }`). With assertions off those checks become optimiser
/// assumptions, which is worse. This scanner walks the document the way toml++'s top level does —
/// key/value pairs (values may span lines inside brackets, braces and multi-line strings),
/// comments and headers — and reports the first such place, so the file is refused with a
/// message instead.
enum TOMLGuard {
    static let badHeader = "a table name must start with a letter, a digit, _, - or a quote"
    static let braceInArray = "a } where an array element should be"

    /// The line and the reason of the first construct that would abort toml++, if any.
    static func problem(_ text: String) -> (line: Int, reason: String)? {
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1
        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
        func isBare(_ c: Unicode.Scalar?) -> Bool {
            guard let c else { return false }
            return ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
        func skipSpace() { while let c = at(i), c == " " || c == "\t" { i += 1 } }
        func skipComment() { while let c = at(i), c != "\n" { i += 1 } }
        /// Skips a string starting at i (one of " ' """ '''), counting the lines it spans.
        func skipString() {
            let q = s[i]
            let triple = at(i + 1) == q && at(i + 2) == q
            i += triple ? 3 : 1
            while let c = at(i) {
                if c == "\n" { line += 1; if !triple { return } }
                if c == "\\" && q == "\"" { i += 2; continue }
                if c == q {
                    if !triple { i += 1; return }
                    if at(i + 1) == q && at(i + 2) == q {
                        i += 3
                        while at(i) == q { i += 1 }   // up to two quotes may close the content
                        return
                    }
                }
                i += 1
            }
        }
        while i < s.count {
            skipSpace()
            guard let c = at(i) else { break }
            if c == "\n" || c == "\r" { if c == "\n" { line += 1 }; i += 1; continue }
            if c == "#" { skipComment(); continue }
            if c == "[" {
                i += 1; skipSpace()
                if at(i) == "[" { i += 1; skipSpace() }
                if !(isBare(at(i)) || at(i) == "\"" || at(i) == "'" || at(i) == "]") { return at(i) == nil ? nil : (line, badHeader) }
                // The rest of the header line (quoted names may hold ] and #).
                while let h = at(i), h != "\n" { if h == "\"" || h == "'" { skipString() } else { i += 1 } }
                continue
            }
            // A key/value pair: the key up to '=', then the value up to the newline outside brackets.
            while let k = at(i), k != "=", k != "\n" { if k == "\"" || k == "'" { skipString() } else { i += 1 } }
            guard at(i) == "=" else { return nil }   // toml++ stops at this error before anything later
            i += 1
            // The value: up to the newline outside brackets and braces. Right after `[` or `,` in
            // an array, an element must come (whitespace, newlines and comments may precede it).
            var open: [Unicode.Scalar] = [], expectElement = false
            while let v = at(i) {
                if v == "\"" || v == "'" { skipString(); expectElement = false; continue }
                if v == "#" { skipComment(); continue }
                if v == " " || v == "\t" || v == "\r" { i += 1; continue }
                if v == "\n" { if open.isEmpty { break }; line += 1; i += 1; continue }
                if expectElement && v == "}" { return (line, braceInArray) }
                expectElement = false
                if v == "[" || v == "{" { open.append(v); expectElement = v == "[" }
                else if v == "]" || v == "}" { _ = open.popLast() }
                else if v == "," { expectElement = open.last == "[" }
                i += 1
            }
        }
        return nil
    }
}
