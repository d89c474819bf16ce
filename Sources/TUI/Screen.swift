import Foundation

/// One screen of the workbench: its own state, what the keymap's actions do there, and how it
/// draws into the cell buffer. The app routes keys to the screen in front and draws it.
protocol Screen: AnyObject {
    /// Whether a line editor or form is open: it then takes every key as typed text.
    var takesText: Bool { get }
    func type(_ key: String, app: App)
    func handle(_ action: Action, app: App)
    func render(into b: inout CellBuffer, app: App)
    /// The status bar's first field.
    func mode(app: App) -> String
    /// Called before each redraw (playback advances, logs are tailed).
    func tick(app: App, now: Date)
}

extension Screen {
    var takesText: Bool { false }
    func type(_ key: String, app: App) {}
    func tick(app: App, now: Date) {}
}

/// A question that takes one key: each choice is a key, its label and what it does.
struct Confirmation {
    var title: String
    var text: String
    var choices: [(key: String, label: String, run: () -> Void)]
}
