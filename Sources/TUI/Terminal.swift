import CNCurses
import Foundation

/// The ncursesw screen: flushes a `CellBuffer` (direct colour, the 256-colour cube through
/// extended pairs, or 16 colours) and reads keys with a timeout. Nothing else talks to ncurses.
public final class Terminal {
    public let depth: ColorDepth
    public let unicode: Bool

    /// Starts curses. `forcedDepth` overrides the depth read from the terminal's capabilities.
    public init(forcedDepth: ColorDepth? = nil) {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        unicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        initscr()
        // Esc acts at once: ncurses waits a second by default to tell a lone Esc from the start of
        // an arrow key's sequence; 25 ms still parses those (a terminal sends them in one write).
        set_escdelay(25)
        cbreak(); noecho(); curs_set(0)
        keypad(shim_stdscr(), true)
        if has_colors() { start_color(); use_default_colors() }
        let colors = has_colors() ? shim_COLORS() : 0
        depth = forcedDepth ?? (colors >= 1 << 24 ? .direct : colors >= 256 ? .palette256 : .ansi16)
        TerminalRestore.install()
    }

    /// Repaints every cell on the next flush (Ctrl-L, after something else wrote to the terminal).
    public func repaintAll() { clearok(shim_curscr(), true) }

    public var size: (width: Int, height: Int) { (Int(shim_COLS()), Int(shim_LINES())) }

    public func close() { endwin() }

    func colorNumber(_ c: RGB?) -> Int32 {
        guard let c else { return -1 }
        switch depth {
        case .direct:
            // 6 bits per channel (no visible banding on video): neighbouring frames then share
            // most colour pairs, so far fewer new pairs are needed per frame.
            let v = Int32(c.r & 0xFC) << 16 | Int32(c.g & 0xFC) << 8 | Int32(c.b & 0xFC)
            return v < 8 ? 0 : v   // 0–7 are the ANSI palette in direct-colour terminfo
        case .palette256: return Int32(c.xterm256)
        case .ansi16: return Int32(c.ansi16 % max(1, Int(min(shim_COLORS(), 16))))
        }
    }

    /// Pairs allocated since the table was last reset, by (foreground, background) colour number.
    /// Kept here because ncurses' own `find_pair` (a tree search) dominated the drawing time.
    var known: [Int64: Int32] = [:]

    /// ncurses' own pair table. Video frames need thousands of new pairs per frame; when ncurses
    /// recycles a pair, cells already on screen with that number keep their old colours (they look
    /// unchanged to the refresh), which painted streaks. So before drawing a frame its missing
    /// pairs are counted, and when they would not fit the table is reset and the screen repainted.
    func pairs(_ buffer: CellBuffer) -> [Int32] {
        guard has_colors() else { return [Int32](repeating: 0, count: buffer.cells.count) }
        let keys = buffer.cells.map { Int64(colorNumber($0.fg)) << 32 | Int64(UInt32(bitPattern: colorNumber($0.bg))) }
        var numbers = keys.map { known[$0] ?? -1 }
        let missing = numbers.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        if known.count + missing > Int(shim_COLOR_PAIRS()) - 16 {
            reset_color_pairs()
            clearok(shim_curscr(), true)
            known.removeAll(keepingCapacity: true)
            numbers = Array(repeating: -1, count: keys.count)
        }
        for (i, key) in keys.enumerated() where numbers[i] < 0 {
            if let p = known[key] { numbers[i] = p; continue }   // allocated for an earlier cell of this frame
            numbers[i] = alloc_pair(Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key))
            known[key] = numbers[i]
        }
        return numbers
    }

    /// Draws the buffer and refreshes the screen.
    public func flush(_ buffer: CellBuffer) {
        let numbers = pairs(buffer)
        var cc = cchar_t()
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                var p = numbers[y * buffer.width + x]
                var attrs: attr_t = 0
                if cell.bold { attrs |= shim_A_BOLD() }
                if cell.reverse { attrs |= shim_A_REVERSE() }
                let scalar = cell.glyph.unicodeScalars.first!.value
                let wide: [wchar_t] = [wchar_t(bitPattern: scalar), 0]
                setcchar(&cc, wide, attrs, 0, &p)
                mvadd_wch(Int32(y), Int32(x), &cc)
            }
        }
        refresh()
    }

    /// The next key as a keymap name ("j", "up", "enter", "ctrl-c", …), or nil after `timeoutMs`.
    /// A terminal resize returns "resize".
    public func readKey(timeoutMs: Int32) -> String? {
        timeout(timeoutMs)
        var ch: wint_t = 0
        let r = get_wch(&ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_UP: return "up"
            case KEY_DOWN: return "down"
            case KEY_LEFT: return "left"
            case KEY_RIGHT: return "right"
            case KEY_HOME: return "home"
            case KEY_END: return "end"
            case KEY_PPAGE: return "pgup"
            case KEY_NPAGE: return "pgdn"
            case KEY_ENTER: return "enter"
            case KEY_BACKSPACE: return "backspace"
            case KEY_RESIZE: return "resize"
            case KEY_F0 + 1: return "f1"
            default: return nil
            }
        }
        switch ch {
        case 10, 13: return "enter"
        case 27: return "esc"
        case 9: return "tab"
        case 32: return "space"
        case 3: return "ctrl-c"
        case 21: return "ctrl-u"
        case 12: return "ctrl-l"
        case 23: return "ctrl-w"
        case 127, 8: return "backspace"
        default: return Unicode.Scalar(UInt32(ch)).map { String(Character($0)) }
        }
    }
}

/// A fatal signal (Ctrl-\ sends SIGQUIT, a crash raises SIGSEGV, SIGILL, SIGTRAP, SIGABRT…) or a
/// termination request first gives the terminal back (ends curses: the normal screen, echo and
/// the cursor return), then lets the signal's previous handler act — the default (exit, core) or
/// the Swift runtime's crash report, now printed on a usable screen. The program does not go on.
enum TerminalRestore {
    static let signals: [Int32] = [SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGTERM, SIGHUP]
    /// The handlers that were in place, by signal number (read in the handler: no allocation there).
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

    static func install() {
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                endwin()
                _ = sigaction(sig, TerminalRestore.previous + Int(sig), nil)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            _ = sigaction(sig, &action, previous + Int(sig))
        }
    }
}
