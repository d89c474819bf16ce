import Foundation

/// The text clean-up CLIP's reference tokenizer applies before splitting into words: the parts of
/// ftfy's `fix_text` that change well-formed text (NFC, curly quotes, Latin ligatures, full-width
/// characters, control characters, line breaks), HTML entities, whitespace collapsed, lower case.
/// Mojibake repair is not reproduced: text is assumed to be valid Unicode.
public enum TextCleaner {
    public static func clean(_ text: String) -> String {
        var s = unescapeHTML(unescapeHTML(unescapeHTML(text)))
        s = s.precomposedStringWithCanonicalMapping
        var scalars = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.value {
            case 0x02BC, 0x2018...0x201B: scalars.append("'")
            case 0x201C...0x201F: scalars.append("\"")
            case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(u.value - 0xFEE0)!)
            case 0x3000: scalars.append(" ")
            case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC, 0xE0000...0xE007F: continue
            default:
                if let lig = ligatures[u.value] { scalars.append(contentsOf: lig.unicodeScalars) } else { scalars.append(u) }
            }
        }
        s = String(scalars)
        // Collapse whitespace (Python's \s) and trim.
        let words = s.unicodeScalars.split(whereSeparator: isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }
        return words.joined(separator: " ").lowercased()
    }

    static let ligatures: [UInt32: String] = [
        0x0132: "IJ", 0x0133: "ij", 0x01C4: "DŽ", 0x01C5: "Dž", 0x01C6: "dž", 0x01C7: "LJ", 0x01C8: "Lj", 0x01C9: "lj",
        0x01CA: "NJ", 0x01CB: "Nj", 0x01CC: "nj", 0x01F1: "DZ", 0x01F2: "Dz", 0x01F3: "dz",
        0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "ſt", 0xFB06: "st",
    ]

    /// Python's `str.isspace` set, which `\s` matches in a str pattern.
    static func isPythonWhitespace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "eacute": "é",
        "egrave": "è", "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß", "euro": "€", "pound": "£", "deg": "°",
    ]

    /// `&name;`, `&#NNN;` and `&#xHH;` references (those `html.unescape` resolves in ordinary text).
    static func unescapeHTML(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = "", rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(32).firstIndex(of: ";") {
                let name = String(after[..<semi])
                var replacement: String? = namedEntities[name]
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(v).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()) {
                    replacement = Unicode.Scalar(v).map { String(Character($0)) }
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }
}
