/// The lines of a text file whatever its line ends (LF, CRLF or CR alone), without a leading
/// byte-order mark. Splitting on the Character "\n" misses CRLF files: Swift reads "\r\n" as one
/// Character, so a Windows-edited file would come back as a single line. Only these three end a
/// line: `Character.isNewline` would also split at form feeds, U+0085 and U+2028 inside a line
/// of text (found by a property test).
public func textLines(_ text: String) -> [Substring] {
    let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
    return body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
}
