import ConfigFiles
import Foundation
import PropertyBased
import Testing
import TestSupport

@Suite struct ConfigDocumentTests {
    @Test func tomlValuesInFileOrderWithLines() throws {
        let doc = try ConfigDocument(text: """
            # settings
            theme = "dark"   # a comment after the value
            epochs = 30
            rate = 1e-3
            keys = ["q",
                    "ctrl-c"]   # arrays may span lines
            "quoted key" = true
            """, file: "a.toml")
        #expect(doc.format == .toml)
        #expect(doc.entries.map(\.key) == ["theme", "epochs", "rate", "keys", "quoted key"])
        #expect(doc.entries.map(\.line) == [2, 3, 4, 5, 7])
        #expect(doc.table["epochs"] == .integer(30) && doc.table["rate"] == .number(0.001) && doc.table["quoted key"] == .bool(true))
        #expect(doc.table["keys"]?.strings == ["q", "ctrl-c"] && doc.table["theme"]?.strings == ["dark"])
        #expect(doc.place(of: "rate") == "a.toml:4" && doc.place(of: "nowhere") == "a.toml")
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "a = 1\nb = \n", file: "x.toml") }
        do { _ = try ConfigDocument(text: "a = 1\nb = \"open\n", file: "x.toml"); Issue.record("accepted") } catch {
            #expect(error.line == 2 && error.column != nil && error.description.hasPrefix("x.toml:2:"))
        }
        do { _ = try ConfigDocument(text: "{\n  \"a\": 1,\n  \"b\": tru\n}", file: "x.json"); Issue.record("accepted") } catch {
            #expect(error.line == 3 && error.column == 8, "\(error)")
        }
        // A key set twice is an error in both formats (Foundation's JSON reader keeps the last).
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "a = 1\na = 2\n", file: "x.toml") }
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "{\"a\": 1, \"a\": 2}", file: "x.json") }
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "[1, 2]", file: "x.json") }
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "when = 1979-05-27\n", file: "x.toml") }
    }

    @Test func jsonByNameOrContentWithNullAsUnsetAndABOM() throws {
        let doc = try ConfigDocument(text: "\u{FEFF}{\"epochs\": 3, \"fold\": null, \"rate\": 0.5, \"tags\": [\"a\"]}", file: "settings")
        #expect(doc.format == .json)
        #expect(doc.table == ["epochs": .integer(3), "rate": .number(0.5), "tags": .array([.string("a")])])
        #expect(doc.line(of: "rate") == 1)
    }

    @Test func filesMustBeRegularUTF8AndSmall() throws {
        let scratch = Scratch()
        #expect(throws: ConfigError(file: scratch.path("none.toml"), reason: "no such file", kind: .missingInput)) {
            try ConfigDocument.load(scratch.path("none.toml"))
        }
        #expect(throws: ConfigError.self) { try ConfigDocument.load(scratch.dir) }
        let latin1 = scratch.path("latin1.toml")
        try Data([0x61, 0x20, 0x3D, 0x20, 0x22, 0xE9, 0x22, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        #expect(throws: ConfigError(file: latin1, reason: "not UTF-8 text")) { try ConfigDocument.load(latin1) }
        let fifo = scratch.path("fifo.toml")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: ConfigError.self) { try ConfigDocument.load(fifo) }   // refused, never opened (that would block)
        let big = scratch.write("big.toml", "a = \"" + String(repeating: "x", count: ConfigDocument.maxBytes) + "\"\n")
        #expect(throws: ConfigError.self) { try ConfigDocument.load(big) }
    }

    /// Any flat table of strings, integers, numbers, booleans and arrays of them, written out as
    /// TOML or as JSON with any escapes, reads back as itself.
    @Test func writtenTablesReadBack() async {
        let scalar = zip(Gen.int(in: 0...3), Gen.latin1.filter { $0 != "\0" }.string(of: 0...12), Gen.int(in: -1_000_000_000...1_000_000_000),
                         Gen.double(in: -1e12...1e12)).map { kind, text, int, double -> ConfigValue in
            switch kind {
            case 0: .string(text)
            case 1: .integer(int)
            case 2: .number(double)
            default: .bool(int % 2 == 0)
            }
        }
        let value = zip(Gen.bool(0.25), scalar.array(of: 0...4), scalar).map { isArray, items, one in isArray ? ConfigValue.array(items) : one }
        let table = zip(Gen.letterOrNumber.string(of: 1...8), value).array(of: 0...8).map { pairs in
            Dictionary(pairs.map { ("k" + $0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        }
        await propertyCheck(count: 300, input: table) { table throws in
            let toml = table.map { "\($0.key) = \(Written.toml($0.value))" }.joined(separator: "\n")
            let json = "{" + table.map { "\(Written.quoted($0.key)): \(Written.json($0.value))" }.joined(separator: ",\r\n") + "}"
            #expect(try ConfigDocument(text: toml, file: "p.toml").table == table, "\(toml)")
            #expect(try ConfigDocument(text: json, file: "p.json").table == table, "\(json)")
        }
    }
}

/// Writers for the property test (the library itself only reads).
enum Written {
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out += u.value < 0x20 || u.value == 0x7F ? String(format: "\\u%04X", u.value) : String(u)
            }
        }
        return out + "\""
    }

    static func number(_ d: Double) -> String {
        let text = "\(d)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    static func toml(_ v: ConfigValue) -> String {
        switch v {
        case let .string(s): quoted(s)
        case let .integer(i): "\(i)"
        case let .number(d): number(d)
        case let .bool(b): "\(b)"
        case let .array(a): "[" + a.map(toml).joined(separator: ", ") + "]"
        case let .table(t): "{" + t.map { "\($0.key) = \(toml($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func json(_ v: ConfigValue) -> String {
        switch v {
        case let .table(t): "{" + t.map { "\(quoted($0.key)): \(json($0.value))" }.joined(separator: ", ") + "}"
        case let .array(a): "[" + a.map(json).joined(separator: ", ") + "]"
        default: toml(v)
        }
    }
}

@Suite struct ConfigDocumentNULTests {
    /// Found by the property test: TOMLKit returned "" for "\u0000". Now an error, and an escaped
    /// backslash before u0000 is plain text.
    @Test func nulEscapesAreRefusedNotCut() throws {
        #expect(throws: ConfigError(file: "n.toml", line: 2, reason: "a \\u0000 escape (NUL) is not allowed in settings")) {
            try ConfigDocument(text: "a = 1\nb = \"x\\u0000y\"\n", file: "n.toml")
        }
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "\"k\\U00000000\" = 1\n", file: "n.toml") }
        #expect(try ConfigDocument(text: "a = \"\\\\u0000\"\n", file: "n.toml").table["a"] == .string("\\u0000"))
    }
}

@Suite struct ConfigDocumentControlCharacterTests {
    /// Found by the fuzzer in two seconds: toml++ (inside TOMLKit) fails an assertion and aborts the
    /// process on a table header holding U+0001. TOML allows no control character but tab and line
    /// ends, so they are refused, with their line, before the parser sees them.
    @Test func controlCharactersAreRefusedBeforeTheParser() throws {
        #expect(throws: ConfigError(file: "c.toml", line: 1, reason: "control character U+0001 (TOML allows tab and line ends only)")) {
            try ConfigDocument(text: "[\u{01}", file: "c.toml")
        }
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "a = 1\n# bell \u{07}\n", file: "c.toml") }
        #expect(throws: ConfigError.self) { try ConfigDocument(text: "a = \"\u{7F}\"", file: "c.toml") }
        #expect(try ConfigDocument(text: "a\t=\t\"tab\"\r\nb = 2\r\n", file: "c.toml").table == ["a": .string("tab"), "b": .integer(2)])
    }
}

@Suite struct TOMLGuardTests {
    /// Each of these aborted the process inside toml++ (an assertion on the header's first
    /// character); now they are errors at their line.
    @Test func headersThatWouldAbortAreRefused() {
        for (text, line) in [("[!", 1), ("a = 1\n[ é]\n", 2), ("[[+x]]", 1), ("a = [\n  1,\n]\n\n[\u{FFFD}", 5),
                             ("s = \"\"\"\nline\n\"\"\"\n[!]", 4)] {
            #expect(throws: ConfigError(file: "h.toml", line: line, reason: "a table name must start with a letter, a digit, _, - or a quote"),
                     "\(text.debugDescription)") { try ConfigDocument(text: text, file: "h.toml") }
        }
    }

    /// The second kind the fuzzer found: a `}` where an array expects an element.
    @Test func aBraceWhereAnArrayElementShouldBeIsRefused() throws {
        for (text, line) in [("a = [}", 1), ("a = [1, }", 1), ("a = [\n  # c\n  }", 3), ("k = 1\nq = [[[[}[", 2)] {
            #expect(throws: ConfigError(file: "b.toml", line: line, reason: "a } where an array element should be"), "\(text.debugDescription)") {
                try ConfigDocument(text: text, file: "b.toml")
            }
        }
        // Braces that belong: inline tables inside arrays, a } inside strings.
        let doc = try ConfigDocument(text: "a = [{x = 1}, {y = \"}\"}]\nb = \"[}\"\n", file: "b.toml")
        #expect(doc.table["b"] == .string("[}") && doc.table["a"] == .array([.table(["x": .integer(1)]), .table(["y": .string("}")])]))
    }

    /// Brackets at the start of a line inside values and strings are not headers.
    @Test func bracketsInsideValuesAreNotHeaders() throws {
        let doc = try ConfigDocument(text: """
            a = [
            [ [1], {x = 1} ],
            [+1, "]"],
            ]
            s = \"\"\"
            [! not a header
            \"\"\"
            t = '''
            [{ nor this ]'''
            [ "quoted ]# name" ]
            k = 1
            """, file: "h.toml")
        #expect(doc.table["s"] == .string("[! not a header\n") && doc.table["quoted ]# name"] == .table(["k": .integer(1)]))
    }
}
