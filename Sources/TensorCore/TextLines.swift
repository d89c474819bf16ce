/// The lines of a text file whatever its line ends (LF, CRLF or CR alone), without a leading
/// byte-order mark. Splitting on the Character "\n" misses CRLF files: Swift reads "\r\n" as one
/// Character, so a Windows-edited file would come back as a single line.
public func textLines(_ text: String) -> [Substring] {
    let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
    return body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
}
