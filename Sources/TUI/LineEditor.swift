/// One line of typed text (a filter, a form field, a path) with a cursor: printable keys insert at
/// the cursor, backspace deletes before it, ←/→ and Home/End (Ctrl-A/Ctrl-E) move it, Ctrl-W
/// deletes the word before it and Ctrl-U everything before it, as a shell does; Enter commits and
/// Esc cancels. Keys arrive as keymap names ("space", "backspace"…).
public struct LineEditor: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable { case editing, committed, cancelled }
    public private(set) var text: String
    /// Characters before the cursor.
    public private(set) var cursor: Int

    public init(_ text: String = "") { self.text = text; cursor = text.count }

    public mutating func type(_ key: String) -> Outcome {
        var chars = Array(text)
        switch key {
        case "enter": return .committed
        case "esc": return .cancelled
        case "left": cursor = max(0, cursor - 1)
        case "right": cursor = min(chars.count, cursor + 1)
        case "home", "ctrl-a": cursor = 0
        case "end", "ctrl-e": cursor = chars.count
        case "backspace": if cursor > 0 { chars.remove(at: cursor - 1); cursor -= 1 }
        case "ctrl-u": chars.removeFirst(cursor); cursor = 0
        case "ctrl-w":
            var start = cursor
            while start > 0 && chars[start - 1] == " " { start -= 1 }
            while start > 0 && chars[start - 1] != " " { start -= 1 }
            chars.removeSubrange(start..<cursor); cursor = start
        case "space": chars.insert(" ", at: cursor); cursor += 1
        default: if key.count == 1 { chars.insert(contentsOf: key, at: cursor); cursor += 1 }
        }
        text = String(chars)
        return .editing
    }

    /// The text with `mark` drawn at the cursor.
    public func display(cursor mark: String) -> String {
        let chars = Array(text)
        return String(chars[..<cursor]) + mark + String(chars[cursor...])
    }
}
