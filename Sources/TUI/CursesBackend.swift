import CCurses
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal could not be used.
public enum TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
    case notATerminal
    case cannotInitialize(term: String)
    case pipeFailed(errno: Int32)

    public var description: String {
        switch self {
        case .notATerminal: return "standard input/output is not a terminal"
        case .cannotInitialize(let term): return "cannot initialise the terminal (TERM=\(term.isEmpty ? "unset" : term))"
        case .pipeFailed(let e): return "cannot create the wake-up pipe (errno \(e))"
        }
    }
}

// MARK: - Emergency restore (signal handlers)

// State read by signal handlers; written only on the UI thread before handlers are installed or after removal.
nonisolated(unsafe) private var emergencyBytes: UnsafeMutablePointer<UInt8>?
nonisolated(unsafe) private var emergencyCount = 0
nonisolated(unsafe) private var savedTermios = termios()
nonisolated(unsafe) private var terminalActive: Int32 = 0
nonisolated(unsafe) private var wakeWriteFD: Int32 = -1
nonisolated(unsafe) private var resizePending: Int32 = 0
nonisolated(unsafe) private var atexitInstalled = false
/// While the alternate screen is up, standard error goes to an unlinked file (`stderrCaptureFD`) instead of the
/// screen, where it would be painted over and lost when the screen is left (a crash's "Fatal error: …" among it);
/// `savedStderrFD` is the real standard error, where the file's text goes once the terminal is restored.
nonisolated(unsafe) private var stderrCaptureFD: Int32 = -1
nonisolated(unsafe) private var savedStderrFD: Int32 = -1
nonisolated(unsafe) private var replayBuffer: UnsafeMutablePointer<UInt8>?
private let replayBufferSize = 4096

/// Restores the tty with async-signal-safe calls only (tcsetattr, write): leaves the alternate screen,
/// shows the cursor, turns mouse reporting off, puts back the shell's tty modes, then prints what was written to
/// standard error meanwhile (e.g. the message of a crash in background work) on the restored screen.
private func emergencyRestore() {
    guard terminalActive != 0 else { return }
    terminalActive = 0
    if let bytes = emergencyBytes { _ = write(STDOUT_FILENO, bytes, emergencyCount) }
    _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios)
    releaseStandardError()
}

/// Points standard error at an unlinked temporary file while the UI owns the screen. Best effort: without a
/// file, standard error stays where it was.
private func captureStandardError() {
    guard stderrCaptureFD < 0 else { return }
    let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array((folder + "/ytce-stderr-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else { return }
    template.withUnsafeBufferPointer { if let path = $0.baseAddress { _ = unlink(path) } }
    let saved = dup(STDERR_FILENO)
    guard saved >= 0 else { close(fd); return }
    _ = fcntl(saved, F_SETFD, FD_CLOEXEC)
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    if replayBuffer == nil { replayBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: replayBufferSize) }
    stderrCaptureFD = fd
    savedStderrFD = saved
    _ = dup2(fd, STDERR_FILENO)
}

/// Puts the real standard error back and copies what was captured to it. Async-signal-safe (dup2, lseek, read,
/// write, close), so the fatal-signal handler calls it too.
private func releaseStandardError() {
    let fd = stderrCaptureFD, saved = savedStderrFD
    guard fd >= 0, saved >= 0 else { return }
    stderrCaptureFD = -1
    savedStderrFD = -1
    _ = dup2(saved, STDERR_FILENO)
    close(saved)
    if let buffer = replayBuffer, lseek(fd, 0, SEEK_SET) == 0 {
        while true {
            let n = read(fd, buffer, replayBufferSize)
            guard n > 0 else { break }
            var offset = 0
            while offset < n {
                let w = write(STDERR_FILENO, buffer + offset, n - offset)
                if w <= 0 { break }
                offset += w
            }
        }
    }
    close(fd)
}

private let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

private func fatalSignalHandler(_ signal: Int32) {
    emergencyRestore()
    // Re-raise with the default action so the exit status is 128+signal (and a crash still dumps).
    var action = sigaction()
    action.__sigaction_handler.sa_handler = SIG_DFL
    sigemptyset(&action.sa_mask)
    sigaction(signal, &action, nil)
    raise(signal)
}

private func winchHandler(_ signal: Int32) {
    resizePending = 1
    if wakeWriteFD >= 0 {
        var b: UInt8 = 0x57
        _ = write(wakeWriteFD, &b, 1)
    }
}

private func install(_ handler: @convention(c) (Int32) -> Void, for signal: Int32, flags: Int32 = 0) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = handler
    sigemptyset(&action.sa_mask)
    action.sa_flags = flags
    sigaction(signal, &action, nil)
}

private func resetSignal(_ signal: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = SIG_DFL
    sigemptyset(&action.sa_mask)
    sigaction(signal, &action, nil)
}

// MARK: - The backend

/// The real terminal through ncursesw: set-up and restore, input decoding, and painting cell buffers
/// (only cells that changed since the last frame). Use from one thread (the UI loop), except `wakeUp`.
public final class CursesBackend: Backend {
    public private(set) var width: Int
    public private(set) var height: Int
    public let colorMode: ColorMode
    public private(set) var mouseEnabled: Bool
    private var screen: OpaquePointer?
    private var restored = false
    private let wakeReadFD: Int32
    private let wakeWriteFDLocal: Int32
    private let escapeDelay: Int32
    private var painter: Painter

    /// Sets up the terminal: locale, ncurses (alternate screen, raw, no echo, keypad), colours, mouse,
    /// signal handlers that restore the terminal.
    public init(options: RuntimeOptions) throws {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { throw TerminalError.notATerminal }
        setlocale(LC_ALL, "")
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TerminalError.pipeFailed(errno: errno) }
        wakeReadFD = fds[0]
        wakeWriteFDLocal = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        escapeDelay = Int32(options.escapeDelayMilliseconds)
        tcgetattr(STDIN_FILENO, &savedTermios)

        // newterm (unlike initscr) reports failure instead of exiting.
        guard let scr = ytce_newterm() else {
            close(fds[0]); close(fds[1])
            throw TerminalError.cannotInitialize(term: getenv("TERM").map { String(cString: $0) } ?? "")
        }
        screen = scr
        set_term(scr)
        raw()
        noecho()
        nonl()
        intrflush(ytce_stdscr(), false)
        keypad(ytce_stdscr(), true)
        nodelay(ytce_stdscr(), true)
        set_escdelay(escapeDelay)
        leaveok(ytce_stdscr(), false)

        // Colours.
        var colors = 0
        var mode = ColorMode.none
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(ytce_colors())
        }
        let env = CursesBackend.environment()
        let detected = ColorMode.detect(colors: colors, hasColors: has_colors(), environment: env)
        switch options.colorMode {
        case .auto: mode = detected
        case .full256: mode = colors > 0 ? .full256 : .none
        case .ansi16: mode = colors > 0 ? .ansi16 : .none
        case .none: mode = .none
        }
        colorMode = mode
        painter = Painter(colorMode: mode, terminalColors: colors, maxPairs: Int(ytce_color_pairs()))

        // Mouse: clicks and wheel, without ncurses' click-detection delay.
        mouseEnabled = false
        if options.mouse {
            var old: mmask_t = 0
            let got = mousemask(ytce_mouse_mask_wanted(), &old)
            if got != 0 {
                mouseinterval(0)
                mouseEnabled = true
            }
        }
        width = Int(ytce_getmaxx(ytce_stdscr()))
        height = Int(ytce_getmaxy(ytce_stdscr()))

        // What to write if we die: the terminfo strings for leaving the alternate screen etc.
        var restore = ""
        for cap in ["sgr0", "cnorm", "rmkx", "rmcup"] {
            if let s = ytce_tigetstr(cap) { restore += String(cString: s) }
        }
        if mouseEnabled { restore += "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l" }
        let bytes = Array(restore.utf8)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
        buffer.initialize(from: bytes, count: bytes.count)
        emergencyBytes?.deallocate()
        emergencyBytes = buffer
        emergencyCount = bytes.count
        wakeWriteFD = wakeWriteFDLocal
        terminalActive = 1
        for s in fatalSignals { install(fatalSignalHandler, for: s) }
        // No SA_RESTART: poll() must wake on SIGWINCH even when the pipe write races.
        install(winchHandler, for: SIGWINCH)
        if !atexitInstalled {
            atexitInstalled = true
            atexit { emergencyRestore() }
        }
        captureStandardError()
        curs_set(0)
        clear()
        refresh()
    }

    deinit { restore() }

    /// Whether a full-screen UI can run: stdin and stdout are terminals and TERM is set and not "dumb".
    /// When false, use a line-mode interface instead.
    public static func canRunFullScreen(environment: [String: String]? = nil) -> Bool {
        let env = environment ?? CursesBackend.environment()
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { return false }
        guard let term = env["TERM"], !term.isEmpty, term != "dumb" else { return false }
        return true
    }

    static func environment() -> [String: String] {
        var env: [String: String] = [:]
        for key in ["NO_COLOR", "TERM", "COLORTERM"] {
            if let v = getenv(key) { env[key] = String(cString: v) }
        }
        return env
    }

    /// Writes one byte to the wake-up pipe (safe from any thread; a full pipe already wakes the loop).
    public var wakeUp: @Sendable () -> Void {
        let fd = wakeWriteFDLocal
        return {
            var b: UInt8 = 1
            _ = write(fd, &b, 1)
        }
    }

    public func now() -> Double { Double(monotonicNanoseconds()) / 1e9 }

    /// Puts the terminal back as it was. Idempotent.
    public func restore() {
        guard !restored else { return }
        restored = true
        for s in fatalSignals { resetSignal(s) }
        resetSignal(SIGWINCH)
        wakeWriteFD = -1
        if mouseEnabled {
            var old: mmask_t = 0
            mousemask(0, &old)
        }
        curs_set(1)
        endwin()
        if let bytes = emergencyBytes {
            // Belt and braces: ncurses has already done this, but a second time is harmless.
            if mouseEnabled { _ = write(STDOUT_FILENO, bytes, emergencyCount) }
        }
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios)
        terminalActive = 0
        releaseStandardError()
        if let scr = screen { delscreen(scr) }
        screen = nil
        close(wakeReadFD)
        close(wakeWriteFDLocal)
    }

    // MARK: Input

    /// Blocks until input arrives, the wake pipe is written, or `timeout` seconds pass (no busy wait).
    public func wait(timeout: Double?) -> BackendInput {
        var result = BackendInput()
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeReadFD, events: Int16(POLLIN), revents: 0)]
        // Milliseconds, rounded up so a timer is never woken for early; capped at a day.
        let milliseconds: Int32 = timeout.map { Int32(min(86_400_000, max(0, ($0 * 1000).rounded(.up)))) } ?? -1
        let n = poll(&fds, 2, milliseconds)
        if n < 0 {
            // EINTR (a signal): fall through to check for a pending resize.
            if errno != EINTR { result.hangup = true }
        }
        if fds[1].revents & Int16(POLLIN) != 0 {
            var sink = [UInt8](repeating: 0, count: 256)
            while read(wakeReadFD, &sink, 256) > 0 {}
            result.woken = true
        }
        if resizePending != 0 {
            resizePending = 0
            var rows: Int32 = 0, cols: Int32 = 0
            if ytce_winsize(STDOUT_FILENO, &rows, &cols) == 0 {
                resizeterm(rows, cols)
            }
            noteResize(into: &result.events)
        }
        if fds[0].revents & Int16(POLLIN) != 0 {
            readKeys(into: &result.events)
        } else if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            result.hangup = true
        }
        return result
    }

    private func noteResize(into events: inout [InputEvent]) {
        let w = Int(ytce_getmaxx(ytce_stdscr())), h = Int(ytce_getmaxy(ytce_stdscr()))
        guard w != width || h != height else { return }
        width = w
        height = h
        painter.invalidate()
        events.append(.resize(width: w, height: h))
    }

    private enum Raw {
        case character(UInt32)
        case keyCode(Int32)
    }

    private func readRaw(timeoutMilliseconds: Int32? = nil) -> Raw? {
        if let t = timeoutMilliseconds { wtimeout(ytce_stdscr(), t) }
        defer { if timeoutMilliseconds != nil { nodelay(ytce_stdscr(), true) } }
        var ch: wint_t = 0
        let r = wget_wch(ytce_stdscr(), &ch)
        if r == ytce_err() { return nil }
        if r == ytce_key_code_yes() { return .keyCode(Int32(bitPattern: ch)) }
        return .character(UInt32(ch))
    }

    /// Reads everything ncurses has for us without blocking.
    private func readKeys(into events: inout [InputEvent]) {
        var budget = 4096  // never spin forever on a flood of input
        while budget > 0, let raw = readRaw() {
            budget -= 1
            switch raw {
            case .keyCode(let code):
                handleKeyCode(code, into: &events)
            case .character(27):
                readEscape(into: &events)
            case .character(let c):
                if let key = KeyDecoder.key(forCharacter: c) { events.append(.key(key)) }
            }
        }
    }

    private func handleKeyCode(_ code: Int32, into events: inout [InputEvent]) {
        switch KeyDecoder.key(forKeyCode: code) {
        case .key(let k): events.append(.key(k))
        case .resize: noteResize(into: &events)
        case .mouse:
            var x: Int32 = 0, y: Int32 = 0, b: Int32 = 0
            guard ytce_get_mouse(&x, &y, &b) == ytce_ok() else { return }
            let button: MouseButton?
            switch b {
            case 1: button = .left
            case 2: button = .middle
            case 3: button = .right
            case 4: button = .wheelUp
            case 5: button = .wheelDown
            default: button = nil
            }
            if let button { events.append(.mouse(MouseEvent(button: button, x: Int(x), y: Int(y)))) }
        case .ignored: break
        }
    }

    /// After ESC: Alt+key if another key follows at once, an escape sequence ncurses did not know, or Escape.
    private func readEscape(into events: inout [InputEvent]) {
        // A run of ESC bytes (a paste, a held key) is a loop, not recursion, and stops at the input budget.
        var next = readRaw(timeoutMilliseconds: escapeDelay)
        var escapes = 0
        while case .character(27)? = next, escapes < 4096 {
            events.append(.key(.escape))
            escapes += 1
            next = readRaw(timeoutMilliseconds: escapeDelay)
        }
        guard let next else {
            events.append(.key(.escape))
            return
        }
        switch next {
        case .keyCode(let code):
            handleKeyCode(code, into: &events)  // Alt+arrow etc.: the key itself
        case .character(27):
            events.append(.key(.escape))
        case .character(let c) where c == 0x5B || c == 0x4F:  // '[' or 'O'
            var body = String(Character(Unicode.Scalar(UInt8(c))))
            var complete = false
            for _ in 0..<32 {
                guard case .character(let b)? = readRaw(timeoutMilliseconds: escapeDelay),
                      let scalar = Unicode.Scalar(b) else { break }
                body.unicodeScalars.append(scalar)
                // "O" sequences are one character long; CSI ends at a final byte (but '[' itself is not one).
                if c == 0x4F || (KeyDecoder.isFinalByte(b) && !(body.unicodeScalars.count == 2 && b == 0x5B) && b != 0x3C) {
                    complete = true
                    break
                }
            }
            if complete, let event = KeyDecoder.decodeEscape(body) {
                events.append(event)
            } else if body.unicodeScalars.count == 1 {
                events.append(.key(.alt(Character(Unicode.Scalar(UInt8(c))))))
            }
        case .character(let c):
            if let key = KeyDecoder.altKey(forCharacter: c) { events.append(.key(key)) }
        }
    }

    // MARK: Output

    /// Paints `buffer` (only changed cells), places the cursor, and refreshes the screen.
    public func paint(_ buffer: CellBuffer) {
        painter.paint(buffer, screenWidth: width, screenHeight: height)
        if let c = buffer.cursor, c.x >= 0, c.x < width, c.y >= 0, c.y < height {
            if painter.cursorVisible != true { curs_set(1); painter.cursorVisible = true }
            move(Int32(c.y), Int32(c.x))
        } else if painter.cursorVisible != false {
            curs_set(0)
            painter.cursorVisible = false
        }
        refresh()
    }

    /// Forces the next paint to redraw every cell (e.g. after something else wrote to the screen).
    public func invalidate() {
        painter.invalidate()
        clearok(ytce_stdscr(), true)
    }

    /// Writes raw bytes (e.g. OSC 52) straight to the terminal.
    public func writeRaw(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR || errno == EAGAIN { continue }; break }
            offset += n
        }
    }
}

// MARK: - Painter

/// Paints cells with ncurses, remembering the last frame to skip unchanged cells, and allocating colour pairs
/// on demand.
struct Painter {
    let colorMode: ColorMode
    let terminalColors: Int
    let maxPairs: Int
    private var previous: CellBuffer?
    private var attributes: [Style: (attr_t, Int32)] = [:]
    private var pairs: [PairKey: Int32] = [:]
    private var wide: [wchar_t] = Array(repeating: 0, count: 6)
    var cursorVisible: Bool?

    private struct PairKey: Hashable {
        var fg: Int32
        var bg: Int32
    }

    init(colorMode: ColorMode, terminalColors: Int, maxPairs: Int) {
        self.colorMode = colorMode
        self.terminalColors = terminalColors
        self.maxPairs = maxPairs
    }

    mutating func invalidate() { previous = nil }

    private func colorNumber(_ c: Color) -> Int32 {
        switch c {
        case .terminalDefault: return -1
        case .indexed(let i):
            // 8-colour terminals: bright colours become their normal counterparts.
            if terminalColors < 16, i >= 8 { return i < 16 ? Int32(i - 8) : Int32(Palette.nearestANSI(i) % 8) }
            return Int32(i)
        }
    }

    private mutating func look(_ style: Style) -> (attr_t, Int32) {
        if let cached = attributes[style] { return cached }
        let s = style.downgraded(to: colorMode)
        let attr = ytce_attrs(s.bold ? 1 : 0, s.dim ? 1 : 0, s.underline ? 1 : 0, s.reverse ? 1 : 0, s.italic ? 1 : 0)
        var pair: Int32 = 0
        if colorMode != .none {
            let key = PairKey(fg: colorNumber(s.foreground), bg: colorNumber(s.background))
            if key.fg == -1 && key.bg == -1 {
                pair = 0
            } else if let p = pairs[key] {
                pair = p
            } else if pairs.count + 1 < maxPairs {
                let p = Int32(pairs.count + 1)
                if init_extended_pair(p, key.fg, key.bg) != ytce_err() {
                    pairs[key] = p
                    pair = p
                }
            }
        }
        attributes[style] = (attr, pair)
        return (attr, pair)
    }

    private mutating func paintCell(_ cell: Cell, x: Int, y: Int) {
        let (attr, pair) = look(cell.style)
        var n = 0
        for scalar in cell.grapheme.unicodeScalars {
            guard n < 5 else { break }
            wide[n] = wchar_t(bitPattern: scalar.value)
            n += 1
        }
        wide[n] = 0
        let r = wide.withUnsafeBufferPointer { ytce_put_cell(Int32(y), Int32(x), $0.baseAddress, attr, pair) }
        if r == ytce_err(), n > 1 {
            // ncurses refused the cluster (e.g. it starts with a combining mark): paint its first scalar.
            wide[1] = 0
            _ = wide.withUnsafeBufferPointer { ytce_put_cell(Int32(y), Int32(x), $0.baseAddress, attr, pair) }
        }
    }

    mutating func paint(_ buffer: CellBuffer, screenWidth: Int, screenHeight: Int) {
        let full = previous.map { $0.width != buffer.width || $0.height != buffer.height } ?? true
        if full { erase() }
        let w = min(buffer.width, screenWidth), h = min(buffer.height, screenHeight)
        buffer.cells.withUnsafeBufferPointer { cells in
            for y in 0..<h {
                let row = y * buffer.width
                var x = 0
                while x < w {
                    let cell = cells[row + x]
                    let changed = full || previous.map { $0.cells[row + x] != cell } ?? true
                    if changed {
                        if cell.width == 0 {
                            // A changed right half: repaint its wide grapheme.
                            if x > 0, cells[row + x - 1].width == 2 { paintCell(cells[row + x - 1], x: x - 1, y: y) }
                        } else if cell.width == 2, x + 1 >= w {
                            paintCell(Cell(grapheme: " ", style: cell.style), x: x, y: y)
                        } else {
                            paintCell(cell, x: x, y: y)
                        }
                    }
                    x += 1
                }
            }
        }
        previous = buffer
    }
}
