import Foundation
import TensorCore

/// A run's append-only `events.jsonl`. Each event is written with one `write` of a whole line
/// and flushed to disk, so a reader sees whole lines, and a run killed mid-write leaves at most
/// one torn last line, which readers skip.
public final class EventLog: @unchecked Sendable {
    public let path: String
    let fd: Int32
    let lock = NSLock()

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TrainError.io(path: path, reason: String(cString: strerror(errno))) }
        // A torn last line from a killed run would glue onto the next event: end it first.
        if let data = FileManager.default.contents(atPath: path), let last = data.last, last != UInt8(ascii: "\n") {
            _ = "\n".withCString { Foundation.write(fd, $0, 1) }
        }
    }

    deinit { close(fd) }

    public func append(_ event: TrainEvent) throws {
        let line = try event.line() + "\n"
        try lock.withLock {
            let bytes = Array(line.utf8)
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n == bytes.count else { throw TrainError.io(path: path, reason: n < 0 ? String(cString: strerror(errno)) : "short write") }
            fsync(fd)
        }
    }

    /// What a log holds: the events in order, how many lines were of unknown kinds, and whether
    /// lines were torn or malformed (skipped).
    public struct Contents: Sendable {
        public var events: [TrainEvent]
        public var unknownKinds: Int
        public var malformedLines: Int
    }

    public static func read(_ path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainError.missing(path: path, what: "a run's events.jsonl") }
        var out = Contents(events: [], unknownKinds: 0, malformedLines: 0)
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            do {
                if let e = try TrainEvent.parse(line) { out.events.append(e) } else { out.unknownKinds += 1 }
            } catch {
                out.malformedLines += 1
            }
        }
        return out
    }
}
