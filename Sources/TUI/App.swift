import Foundation
import Workbench

/// The workbench's terminal front end. It owns what every screen shares (the catalog, the model,
/// predictions, themes, keymap) and routes keys to the screen in front: browser, player,
/// confusion matrix, training, help. All drawing goes into a `CellBuffer` (see `render`), so
/// screens are testable without a terminal; `run` owns the terminal loop.
public final class App {
    public enum ScreenID: Sendable { case browser, player, confusion, training, help }

    public static let minimumSize = (width: 60, height: 16)

    public var catalog: ClipCatalog
    public var keymap: Keymap
    public var themes: [Theme]
    public var themeIndex = 0
    public var glyphs: FrameView.Glyphs = .halfBlocks
    public internal(set) var screen: ScreenID = .browser
    var previousScreen: ScreenID = .browser
    /// Everything the app has said, oldest first; the last shows above the status bar for a few
    /// seconds, `m` lists them all.
    public var messages: [String] = [] { didSet { messageTime = Date() } }
    var messageTime = Date.distantPast
    var showMessages = false
    let faceModels: FaceModels?
    /// The model the player and evaluations use (nil: none could be loaded).
    public let model: ClassifierModel?
    /// Each clip's verdict by id: from an evaluation run here or a loaded predictions file.
    public var predictions: [String: ClipPrediction] = [:]
    var evaluation: Evaluation?
    public var depthName = "?"
    var quit = false
    var fpsSamples: [Date] = []
    var confirmation: Confirmation?
    /// Set by Ctrl-L: the next flush repaints every cell.
    var repaint = false
    /// Where the launch form looks for data and puts runs.
    public var dataRoot: String?
    /// The settings files, named in the help.
    public var settingsFiles: [String] = []
    /// The help's first line when it is longer than the screen.
    var helpOffset = 0
    public var runsFolder = "runs"
    /// Where the player's exports go (`E`).
    public var exportFolder = "finecliper-export"

    let browser = BrowserScreen()
    let player = PlayerScreen()
    let confusion = ConfusionScreen()
    let training = TrainingScreen()

    public init(catalog: ClipCatalog, keymap: Keymap = Keymap(), themes: [Theme] = [Theme.fallback],
                faceModels: FaceModels?, model: ClassifierModel? = nil) {
        self.catalog = catalog
        self.keymap = keymap
        self.themes = themes.isEmpty ? [Theme.fallback] : themes
        self.faceModels = faceModels
        self.model = model
        scanCatalog()
        browser.refresh(app: self)
    }

    /// Loose clips are looked at in the background (frames, duration, size, codec; a clip that
    /// cannot be opened is marked before anyone plays it); a dataset's clips are not.
    var scan: ClipScan?

    func scanCatalog() {
        scan?.cancel()
        scan = catalog.isLoose ? ClipScan(paths: catalog.clips.map(\.path), folderFrameRate: catalog.folderFrameRate) : nil
    }

    func collectScan() {
        guard let scan else { return }
        let results = scan.take()
        guard !results.isEmpty else { return }
        messages += catalog.apply(results)
        browser.refresh(app: self)
    }

    var theme: Theme { themes[themeIndex % themes.count] }
    var base: Style { Style(fg: theme["main_fg"], bg: theme["main_bg"]) }
    func style(_ fg: String, bold: Bool = false) -> Style { Style(fg: theme[fg], bg: theme["main_bg"], bold: bold) }
    var selectedStyle: Style { Style(fg: theme["selected_fg"], bg: theme["selected_bg"], bold: true) }
    /// A colour per class (timelines, legends).
    var classColors: [RGB] { ["graph_loss", "ok", "warning", "error", "graph_war", "graph_lr", "hi_fg", "bar_low"].map { theme[$0] } }

    var current: Screen {
        switch screen == .help ? previousScreen : screen {
        case .browser, .help: return browser
        case .player: return player
        case .confusion: return confusion
        case .training: return training
        }
    }

    // MARK: Routing

    /// Applies one key (a keymap name); returns false once the app should exit.
    @discardableResult
    public func handle(_ key: String) -> Bool {
        if let c = confirmation {
            if let choice = c.choices.first(where: { $0.key == key }) { confirmation = nil; choice.run() }
            else if key == "esc" { confirmation = nil }
            return !quit
        }
        if key == "ctrl-l" { repaint = true; return !quit }
        if screen != .help, current.takesText { current.type(key, app: self); return !quit }
        guard let action = keymap.action(for: key) else {
            if Keymap.isKeyName(key) && !showMessages { messages.append("\(key) is not bound to anything (? lists the keys)") }
            return !quit
        }
        if showMessages {
            if [.messages, .quit, .back].contains(action) { showMessages = false }
            return !quit
        }
        if screen == .help {
            // q and Esc close the help, as in most terminal tools; the movement keys scroll it.
            switch action {
            case .help, .quit, .back: screen = previousScreen
            case .down: helpOffset += 1
            case .up: helpOffset = max(0, helpOffset - 1)
            case .pageDown: helpOffset += 10
            case .pageUp: helpOffset = max(0, helpOffset - 10)
            case .top: helpOffset = 0
            default: break
            }
            return !quit
        }
        switch action {
        case .quit: askToQuit()
        case .help: previousScreen = screen; screen = .help; helpOffset = 0
        case .theme: themeIndex = (themeIndex + 1) % themes.count
        case .glyphs: glyphs = glyphs.next
        case .browser: show(.browser)
        case .player: if player.playback != nil { show(.player) } else { messages.append("open a clip first (Enter in the browser)") }
        case .confusion: show(.confusion)
        case .training: show(.training)
        case .evaluate: startEvaluation()
        case .messages: showMessages = true
        default:
            // A key that means nothing on this screen says so rather than doing nothing silently.
            guard HelpScreen.actions(for: screen).contains(action) else {
                messages.append("\(key) (\(action.summary)) does nothing on this screen (? lists its keys)")
                return !quit
            }
            current.handle(action, app: self)
        }
        return !quit
    }

    func show(_ s: ScreenID) {
        if screen == .player && s != .player { player.pause() }
        screen = s
    }

    /// Quits at once unless a run this session launched is still training: it keeps running after
    /// the workbench closes unless the user asks to stop it.
    func askToQuit() {
        guard let run = training.launchedRun, run.status.isRunning else { quit = true; return }
        confirmation = Confirmation(title: "Quit", text: "The run in \(run.status.folder) is still training. It keeps running after you quit unless you stop it.",
                                    choices: [("y", "quit, the run continues", { self.quit = true }),
                                              ("x", "stop the run and quit", { _ = run.stop(); self.quit = true }),
                                              ("n", "stay", {})])
    }

    /// Opens catalog clip `i` in the player.
    func open(clip i: Int) {
        player.open(i, app: self)
        screen = .player
    }

    /// The model on every clip of the catalog, in the background; the browser fills in.
    func startEvaluation() {
        guard let model else { messages.append("no model is loaded: start with --model CHECKPOINT (or keep samples/model in place)"); return }
        guard let faceModels else { messages.append("the face models are missing (run scripts/setup): cannot evaluate"); return }
        if let e = evaluation, !e.progress.finished { messages.append("an evaluation is already running"); return }
        predictions = [:]
        evaluation = Evaluation(clips: catalog.clips, datasetClasses: catalog.classes, model: model, faceModels: faceModels, folderFrameRate: catalog.folderFrameRate)
        browser.refresh(app: self)
        show(.browser)
    }

    /// Takes in an evaluation's new verdicts; says UAR and WAR when it ends.
    func collectEvaluation() {
        guard let e = evaluation else { return }
        let progress = e.progress
        let found = e.predictions
        if found.count != predictions.count { predictions = found; browser.refresh(app: self) }
        if progress.finished {
            evaluation = nil
            let m = confusionMatrix
            messages.append(String(format: "evaluation: UAR %.2f  WAR %.2f on %d clips", m.uar, m.war, m.total)
                            + (progress.failures.isEmpty ? "" : " (\(progress.failures.count) could not be read: \(progress.failures[0]))"))
        }
    }

    /// The predictions' confusion matrix (clips with a known class).
    var confusionMatrix: ConfusionMatrix {
        let labelled = predictions.values.filter { $0.truth >= 0 }
        let classes = labelled.first?.classes.count ?? model?.classes.count ?? 0
        return ConfusionMatrix(truth: labelled.map(\.truth), predictions: labelled.map(\.prediction), classes: classes)
    }

    var predictionClasses: [String] { predictions.values.first?.classes ?? model?.classes ?? catalog.classes }

    /// Advances the screen in front by the wall-clock time since the last tick.
    public func tick(now: Date = Date()) {
        collectEvaluation()
        collectScan()
        browser.tick(app: self, now: now)
        player.tick(app: self, now: now)
        if screen == .training || training.launchedRun != nil { training.tick(app: self, now: now) }
    }

    // MARK: Drawing

    public func render(width: Int, height: Int, unicode: Bool = true) -> CellBuffer {
        var b = CellBuffer(width: width, height: height, unicode: unicode)
        b.fill(b.bounds, style: base)
        guard width >= Self.minimumSize.width && height >= Self.minimumSize.height else {
            let msg = "terminal too small: need \(Self.minimumSize.width)×\(Self.minimumSize.height), have \(width)×\(height)"
            for (i, line) in TextBox.wrap(msg, width: max(1, width)).prefix(height).enumerated() { b.put(line, x: 0, y: i, style: base) }
            return b
        }
        if screen == .help { HelpScreen.render(into: &b, app: self) } else { current.render(into: &b, app: self) }
        if showMessages {
            let log = messages.isEmpty ? "No messages." : messages.suffix(max(1, height - 8)).reversed().joined(separator: "\n")
            Modal.render(title: "Messages, newest first (Esc closes)", text: log, into: &b, width: max(40, width - 8), style: selectedStyle)
        }
        if let c = confirmation {
            let text = c.text + "\n" + c.choices.map { "\($0.key) \($0.label)" }.joined(separator: " · ")
            Modal.render(title: c.title, text: text, into: &b, width: 64, style: selectedStyle)
        }
        let redraws = fpsSamples.count > 1 ? Double(fpsSamples.count - 1) / fpsSamples.last!.timeIntervalSince(fpsSamples.first!) : 0
        // In the player: frames shown per second; elsewhere: redraws per second.
        let rate = screen == .player ? String(format: "%.0f fps", player.shownRate) : String(format: "%.0f redraws/s", redraws)
        let hints = [(Action.help, "help"), (.quit, "quit")].compactMap { a, word in keymap.shortestKey(for: a).map { "\($0) \(word)" } }
        let modelField = model.map { "model \($0.name) (\($0.classes.count) classes)" } ?? "no model"
        StatusBar.render([screen == .help ? "help" : current.mode(app: self), glyphs.rawValue, "\(depthName) colours", rate,
                          theme.name, modelField, hints.joined(separator: "  ")],
                         into: &b, y: height - 1, style: Style(fg: theme["selected_fg"], bg: theme["selected_bg"]))
        return b
    }

    /// The last message, on the line above the status bar, for 8 seconds.
    func drawMessage(_ b: inout CellBuffer, now: Date = Date()) {
        guard let m = messages.last, now.timeIntervalSince(messageTime) < 8 else { return }
        let more = messages.count > 1 ? "  (m: all \(messages.count))" : ""
        b.put(m + more, x: 2, y: b.height - 2, style: style("error"), maxWidth: b.width - 4)
    }

    // MARK: Terminal loop

    /// Runs until quit. Redraws at most every frame interval; never blocks on decoding, inference
    /// or training.
    public func run(terminal: Terminal) {
        depthName = terminal.depth.rawValue
        while true {
            let started = Date()
            let size = terminal.size
            tick()
            let buffer = render(width: size.width, height: size.height, unicode: terminal.unicode)
            if repaint { terminal.repaintAll(); repaint = false }
            terminal.flush(buffer)
            fpsSamples.append(Date())
            if fpsSamples.count > 30 { fpsSamples.removeFirst() }
            // Wait out the rest of one frame interval (drawing time included), so redraws keep the clip's rate.
            // Keys and resizes wake the loop at once; otherwise other screens only pick up what arrives
            // from the background (verdicts, log lines) a few times a second.
            let interval = screen == .player ? player.redrawInterval : (evaluation != nil ? 200 : 500)
            let wait = Int32(max(1, interval - Date().timeIntervalSince(started) * 1000))
            if let key = terminal.readKey(timeoutMs: wait), key != "resize" {
                if !handle(key) { break }
            }
        }
        player.close(app: self)
    }
}

extension App {
    /// Verdicts from a predictions file, shown in the browser and the confusion matrix.
    public func load(predictions: [String: ClipPrediction]) {
        self.predictions = predictions
        browser.refresh(app: self)
    }

    /// Opens a run folder on the training screen.
    public func openRun(_ folder: String) {
        training.open(folder, app: self)
        screen = .training
    }
}
