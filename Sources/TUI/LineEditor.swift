/// One line of typed text (a filter, a form field, a path): printable keys append, backspace
/// deletes, Enter commits and Esc cancels. Keys arrive as keymap names ("space", "backspace"…).
public struct LineEditor: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable { case editing, committed, cancelled }
    public var text: String

    public init(_ text: String = "") { self.text = text }

    public mutating func type(_ key: String) -> Outcome {
        switch key {
        case "enter": return .committed
        case "esc": return .cancelled
        case "backspace": if !text.isEmpty { text.removeLast() }
        case "space": text += " "
        case "ctrl-u": text = ""
        case "ctrl-w":
            // The last word and the spaces before it, as in a shell.
            while text.last == " " { text.removeLast() }
            while let c = text.last, c != " " { text.removeLast() }
        default: if key.count == 1 { text += key }
        }
        return .editing
    }
}
