import ConfigFiles
import TensorCore
import Foundation

/// What a key does. Several keys may map to one action; `?` help lists them from the live map.
public enum Action: String, CaseIterable, Sendable {
    case quit, back, help, filter, sort, up, down, top, bottom, pageUp = "page_up", pageDown = "page_down", open
    case nextPane = "next_pane", browser = "screen_browser", player = "screen_player", training = "screen_training"
    case confusion = "screen_confusion", evaluate, newRun = "new_run", stopRun = "stop_run", openRun = "open_run"
    case reverse, nextClip = "next_clip", previousClip = "previous_clip", loop, messages
    case playPause = "play_pause", stepBack = "step_back", stepForward = "step_forward"
    case seekBack = "seek_back", seekForward = "seek_forward", faster, slower
    case glyphs, landmarks, parsing, theme, apex, export, landmarkGroup = "landmark_group"

    public var summary: String {
        switch self {
        case .quit: return "quit"
        case .back: return "back / clear"
        case .help: return "this help"
        case .filter: return "filter (text, class:NAME)"
        case .sort: return "change sort order"
        case .up: return "move up"
        case .down: return "move down"
        case .top: return "first item / first frame"
        case .bottom: return "last item / last frame"
        case .pageUp: return "page up"
        case .pageDown: return "page down"
        case .open: return "open"
        case .nextPane: return "next pane"
        case .browser: return "browser screen"
        case .player: return "player screen"
        case .training: return "training screen"
        case .confusion: return "confusion matrix screen"
        case .evaluate: return "evaluate the model on every clip"
        case .newRun: return "launch a training run"
        case .stopRun: return "stop the training run"
        case .openRun: return "open a run folder"
        case .reverse: return "reverse the sort order"
        case .nextClip: return "next clip in the list"
        case .previousClip: return "previous clip in the list"
        case .loop: return "loop playback on / off"
        case .messages: return "message log"
        case .playPause: return "play / pause"
        case .stepBack: return "previous frame"
        case .stepForward: return "next frame"
        case .seekBack: return "back one second"
        case .seekForward: return "ahead one second"
        case .faster: return "faster"
        case .slower: return "slower"
        case .glyphs: return "cycle glyphs (half blocks, ASCII, braille)"
        case .landmarks: return "toggle landmarks"
        case .landmarkGroup: return "landmarks shown: all, jaw, brows, nose, eyes, mouth"
        case .parsing: return "toggle parsing overlay"
        case .theme: return "cycle theme"
        case .apex: return "jump to the apex frame"
        case .export: return "export frame PNG, landmarks CSV, description"
        }
    }
}

/// Keys to actions, from defaults and an optional `keys.toml` (`action = "key"` or
/// `action = ["key", "key"]`). Bad lines and unknown actions are reported by file and line and
/// the defaults stay.
public struct Keymap: Sendable {
    public private(set) var bindings: [String: Action]

    public static let defaults: [Action: [String]] = [
        .quit: ["q", "ctrl-c"], .back: ["esc"], .help: ["?", "f1"], .filter: ["/"], .sort: ["s"],
        .up: ["k", "up"], .down: ["j", "down"], .top: ["home"], .bottom: ["G", "end"], .pageUp: ["pgup"], .pageDown: ["pgdn"],
        .open: ["enter"], .nextPane: ["tab"], .browser: ["1"], .player: ["2"], .training: ["3"], .confusion: ["4"],
        .evaluate: ["e"], .newRun: ["n"], .stopRun: ["x"], .openRun: ["o"],
        .reverse: ["S"], .nextClip: ["]"], .previousClip: ["["], .loop: ["r"], .messages: ["m"],
        .playPause: ["space"], .stepBack: [","], .stepForward: ["."], .seekBack: ["left"], .seekForward: ["right"], .faster: ["+"], .slower: ["-"],
        .glyphs: ["g"], .landmarks: ["l"], .parsing: ["p"], .theme: ["t"], .apex: ["a"], .export: ["E"], .landmarkGroup: ["L"],
    ]

    public init() {
        bindings = [:]
        for (action, keys) in Self.defaults { for k in keys { bindings[k] = action } }
    }

    public func action(for key: String) -> Action? { bindings[key] }

    /// Keys bound to `action`, sorted, for the help screen.
    public func keys(for action: Action) -> [String] { bindings.filter { $0.value == action }.map(\.key).sorted() }

    /// The key to show in hints (the shortest, so "q" before "ctrl-c"); nil when unbound.
    public func shortestKey(for action: Action) -> String? { keys(for: action).min { ($0.count, $0) < ($1.count, $1) } }

    /// Applies a keys.toml; returns messages for entries that could not be used. A file that is
    /// not TOML is one message (with its line and column) and leaves the keys as they were.
    public mutating func apply(_ text: String, file: String) -> [String] {
        do { return apply(try ConfigDocument(text: text, file: file, format: .toml)) } catch { return ["\(error); the keys stay as they were"] }
    }

    public mutating func apply(_ doc: ConfigDocument) -> [String] {
        var problems: [String] = []
        for (name, value, _) in doc.entries {
            let at = doc.place(of: name)
            guard let action = Action(rawValue: name) else { problems.append("\(at): unknown action \(name)"); continue }
            guard let keys = value.strings else { problems.append("\(at): \(name) takes \"key\" or [\"key\", …], not \(value.typeName)"); continue }
            guard !keys.isEmpty else { problems.append("\(at): no key for \(name)"); continue }
            if let bad = keys.first(where: { !Self.isKeyName($0) }) {
                problems.append("\(at): \(bad) is not a key (letters and symbols as typed, or up down left right enter esc tab space backspace home end pgup pgdn f1 ctrl-a…ctrl-z); \(action.rawValue) keeps its keys")
                continue
            }
            for (k, a) in bindings where a == action { bindings[k] = nil }
            for k in keys { bindings[k] = action }
        }
        return problems
    }

    /// Names `Terminal.readKey` produces: one character, a named key, or ctrl- and a letter.
    static func isKeyName(_ k: String) -> Bool {
        if k.count == 1 { return true }
        if ["up", "down", "left", "right", "enter", "esc", "tab", "space", "backspace", "home", "end", "pgup", "pgdn", "f1"].contains(k) { return true }
        return k.hasPrefix("ctrl-") && k.count == 6 && k.last!.isLetter && k.last!.isASCII
    }
}
