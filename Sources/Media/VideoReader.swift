import CFFmpeg
import Foundation
import TensorCore

/// A video (or still image) opened with libavformat/libavcodec. Frames are numbered in
/// presentation order from 0. Opening scans the packets once (no decoding) to count frames and
/// find keyframes, so frames can later be fetched by index with seeks where the container allows
/// them. Not thread-safe: use one reader per thread.
public final class VideoReader {
    public let path: String
    /// Size of decoded frames after the display rotation is applied.
    public let width: Int
    public let height: Int
    public let codecName: String
    /// Average frame rate from the container (0 when unknown).
    public let frameRate: Double
    /// Display rotation in clockwise quarter turns (0…3), applied to every frame.
    public let rotationQuarterTurns: Int
    /// Presentation timestamps (seconds) of every frame, in order; their count is the frame count.
    public let timestamps: [Double]
    public var frameCount: Int { timestamps.count }

    var format: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    let streamIndex: Int32
    let timeBase: AVRational
    /// Raw pts per frame in presentation order, nil when the container gives none (sequential only).
    let ptsByIndex: [Int64]?
    /// pts of keyframes, ascending.
    let keyframePts: [Int64]
    var packet: UnsafeMutablePointer<AVPacket>?
    var frame: UnsafeMutablePointer<AVFrame>?
    var scaler: OpaquePointer?
    /// pts of the last frame the decoder returned (for deciding whether to seek).
    var lastDecodedPts: Int64? = nil
    var sequentialIndex = 0
    var draining = false
    var packetsSinceReposition = 0
    var reopened = false

    /// Opens `path` and indexes its frames. `threads` is the decoder's thread count.
    public init(path: String, threads: Int = 1) throws {
        self.path = path
        let kind = FileKind(path)
        if let error = kind.mediaError(path) { throw error }
        guard kind == .regular else { throw MediaError.notMedia(path: path, reason: "a folder, not a video file") }
        av_log_set_level(AV_LOG_QUIET)
        var fmt: UnsafeMutablePointer<AVFormatContext>? = nil
        var rc = avformat_open_input(&fmt, path, nil, nil)
        guard rc >= 0, let fmt else { throw MediaError.notMedia(path: path, reason: ffmpegError(rc)) }
        format = fmt
        // FFmpeg's "tty" demuxer renders any text file as video; a text file is not a clip.
        if let name = fmt.pointee.iformat?.pointee.name, String(cString: name) == "tty" {
            avformat_close_input(&format)
            throw MediaError.notMedia(path: path, reason: "a text file")
        }
        rc = avformat_find_stream_info(fmt, nil)
        guard rc >= 0 else {
            avformat_close_input(&format)
            throw MediaError.notMedia(path: path, reason: ffmpegError(rc))
        }
        var decoder: UnsafePointer<AVCodec>? = nil
        let si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard si >= 0, let stream = fmt.pointee.streams[Int(si)] else {
            avformat_close_input(&format)
            if si == shim_AVERROR_DECODER_NOT_FOUND() { throw MediaError.unsupportedCodec(path: path, codec: "unknown") }
            throw MediaError.noVideoStream(path: path)
        }
        let params = stream.pointee.codecpar!
        let name = String(cString: avcodec_get_name(params.pointee.codec_id))
        guard let decoder else {
            avformat_close_input(&format)
            throw MediaError.unsupportedCodec(path: path, codec: name)
        }
        streamIndex = si
        timeBase = stream.pointee.time_base
        codecName = name
        let rate = stream.pointee.avg_frame_rate.num > 0 ? stream.pointee.avg_frame_rate : stream.pointee.r_frame_rate
        frameRate = rate.den > 0 ? Double(rate.num) / Double(rate.den) : 0
        // ffprobe reports rotation counter-clockwise; frames must be turned clockwise by the same angle.
        let degrees = -shim_stream_rotation(stream)
        rotationQuarterTurns = ((Int((degrees / 90).rounded()) % 4) + 4) % 4

        guard let ctx = avcodec_alloc_context3(decoder) else {
            avformat_close_input(&format)
            throw MediaError.notMedia(path: path, reason: "out of memory")
        }
        codec = ctx
        avcodec_parameters_to_context(ctx, params)
        ctx.pointee.thread_count = Int32(max(1, threads))
        rc = avcodec_open2(ctx, decoder, nil)
        guard rc >= 0 else {
            avcodec_free_context(&codec)
            avformat_close_input(&format)
            throw MediaError.unsupportedCodec(path: path, codec: name)
        }
        let w = Int(params.pointee.width), h = Int(params.pointee.height)
        (width, height) = rotationQuarterTurns % 2 == 0 ? (w, h) : (h, w)
        let pkt = av_packet_alloc()
        packet = pkt
        frame = av_frame_alloc()

        // Index: one demux pass over the packets, no decoding.
        var pts: [Int64] = [], keys: [Int64] = []
        var allHavePts = true
        let noPts = shim_AV_NOPTS_VALUE()
        while av_read_frame(fmt, pkt) >= 0 {
            let p = pkt!.pointee
            av_packet_unref(pkt)
            guard p.stream_index == si else { continue }
            let t = p.pts != noPts ? p.pts : p.dts
            if p.flags & AV_PKT_FLAG_KEY != 0 && t != noPts { keys.append(t) }
            // Packets an edit list cuts (MP4 `elst`) are decoded for their references but never
            // shown: they are not frames of the clip.
            if p.flags & AV_PKT_FLAG_DISCARD != 0 { continue }
            if t == noPts { allHavePts = false }
            pts.append(t)
        }
        if allHavePts && Set(pts).count == pts.count {
            pts.sort()
            ptsByIndex = pts
            let tb = Double(timeBase.num) / Double(max(timeBase.den, 1))
            let start = pts.first ?? 0
            timestamps = pts.map { Double($0 - start) * tb }
        } else {
            ptsByIndex = nil
            let step = frameRate > 0 ? 1 / frameRate : 0
            timestamps = (0..<pts.count).map { Double($0) * step }
        }
        keyframePts = keys.sorted()
        guard !timestamps.isEmpty else {
            close()
            throw MediaError.noFrames(path: path)
        }
        rewind()
    }

    deinit { close() }

    func close() {
        if scaler != nil { sws_freeContext(scaler); scaler = nil }
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if codec != nil { avcodec_free_context(&codec) }
        if format != nil { avformat_close_input(&format) }
    }

    /// Back to the first frame.
    func rewind() {
        reposition(to: ptsByIndex?.first ?? 0)
        sequentialIndex = 0
    }

    /// Seeks to the keyframe at or before `pts` and resets the decoder. Containers that cannot
    /// seek (image pipes, some raw formats) are reopened and read from the start instead; so is a
    /// seek that "succeeds" but leaves the demuxer at the end of the file.
    func reposition(to pts: Int64) {
        if frameCount <= 1 || av_seek_frame(format, streamIndex, pts, AVSEEK_FLAG_BACKWARD) < 0 {
            reopen()
        }
        avcodec_flush_buffers(codec)
        lastDecodedPts = nil
        draining = false
        packetsSinceReposition = 0
        reopened = false
    }

    func reopen() {
        avformat_close_input(&format)
        if avformat_open_input(&format, path, nil, nil) < 0 || avformat_find_stream_info(format, nil) < 0 {
            avformat_close_input(&format)
        }
        packetsSinceReposition = 0
        reopened = true
    }

    // MARK: Decoding

    /// Frames at `indices` (any order, repeats allowed), each converted to RGB at native size or
    /// scaled to `size`. Frames that cannot be decoded are left out of the result and listed in
    /// `failed`; the rest are returned.
    public func frames(at indices: [Int], size: (width: Int, height: Int)? = nil) throws -> (frames: [Int: RGBImage], failed: [Int]) {
        for i in indices where i < 0 || i >= frameCount {
            throw MediaError.frameOutOfRange(path: path, index: i, count: frameCount)
        }
        let wanted = Array(Set(indices)).sorted()
        var out: [Int: RGBImage] = [:]
        if let ptsByIndex {
            var position = 0
            while position < wanted.count {
                let target = wanted[position]
                let targetPts = ptsByIndex[target]
                if needsSeek(to: targetPts) {
                    let key = keyframePts.last { $0 <= targetPts } ?? ptsByIndex[0]
                    reposition(to: key)
                    sequentialIndex = index(ofPts: key) ?? 0
                }
                // Decode forward, collecting every wanted frame that comes out on the way.
                var progressed = false
                while let f = decodeNext() {
                    // Frames without a timestamp (some image decoders) count on from the last seek.
                    let idx = index(ofPts: timestamp(of: f)) ?? sequentialIndex
                    sequentialIndex = idx + 1
                    lastDecodedPts = ptsByIndex[min(idx, ptsByIndex.count - 1)]
                    if idx > target { break }
                    if idx == target {
                        out[idx] = try convert(f, size: size)
                        progressed = true
                        break
                    }
                }
                if !progressed { lastDecodedPts = Int64.max }  // force a seek for the next target
                position += 1
            }
        } else {
            // No timestamps: decode from the start and count frames in output order.
            rewind()
            var next = 0
            for target in wanted {
                while next <= target, let f = decodeNext() {
                    if next == target { out[target] = try convert(f, size: size) }
                    next += 1
                }
            }
        }
        let failed = indices.filter { out[$0] == nil }
        return (out, failed)
    }

    /// One frame, or an error saying why it could not be decoded.
    public func frame(at index: Int, size: (width: Int, height: Int)? = nil) throws -> RGBImage {
        let r = try frames(at: [index], size: size)
        guard let f = r.frames[index] else {
            throw MediaError.decodeFailed(path: path, frames: [index], reason: "the decoder returned no picture for it")
        }
        return f
    }

    /// Every frame in order, handed to `body` one at a time (for whole-clip passes without
    /// keeping the clip in memory). Returns the indices that could not be decoded.
    @discardableResult
    public func forEachFrame(size: (width: Int, height: Int)? = nil, _ body: (Int, RGBImage) throws -> Void) throws -> [Int] {
        rewind()
        var seen = Set<Int>()
        var sequential = 0
        while let f = decodeNext() {
            let idx = index(ofPts: timestamp(of: f)) ?? sequential
            sequential = idx + 1
            guard idx < frameCount, !seen.contains(idx) else { continue }
            seen.insert(idx)
            try body(idx, try convert(f, size: size))
        }
        return (0..<frameCount).filter { !seen.contains($0) }
    }

    func timestamp(of f: UnsafeMutablePointer<AVFrame>) -> Int64 {
        f.pointee.best_effort_timestamp != shim_AV_NOPTS_VALUE() ? f.pointee.best_effort_timestamp : f.pointee.pts
    }

    func needsSeek(to targetPts: Int64) -> Bool {
        guard let last = lastDecodedPts else { return true }
        if last >= targetPts { return true }
        // Seek only when a keyframe lies between the decoder's position and the target.
        let key = keyframePts.last { $0 <= targetPts } ?? Int64.min
        return key > last
    }

    func index(ofPts p: Int64) -> Int? {
        guard let ptsByIndex else { return nil }
        var lo = 0, hi = ptsByIndex.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if ptsByIndex[mid] == p { return mid }
            if ptsByIndex[mid] < p { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    /// The next decoded frame, skipping packets that fail to decode; nil at the end.
    func decodeNext() -> UnsafeMutablePointer<AVFrame>? {
        guard format != nil else { return nil }
        while true {
            let r = avcodec_receive_frame(codec, frame)
            if r >= 0 { return frame }
            if r == shim_AVERROR_EOF() || draining { return nil }
            // The decoder wants input (or rejected a corrupt picture): feed the next video packet,
            // or flush at the end of the file. A packet that fails to decode only loses its frame.
            while true {
                if av_read_frame(format, packet) < 0 {
                    if packetsSinceReposition == 0 && !reopened {
                        reopen()   // the seek left us at the end: start over from the top
                        guard format != nil else { return nil }
                        continue
                    }
                    avcodec_send_packet(codec, nil)
                    draining = true
                    break
                }
                packetsSinceReposition += 1
                let ours = packet!.pointee.stream_index == streamIndex
                if ours { _ = avcodec_send_packet(codec, packet) }
                av_packet_unref(packet)
                if ours { break }
            }
        }
    }

    /// Converts a decoded frame to RGB24 (native size or `size`) and applies the display rotation.
    func convert(_ f: UnsafeMutablePointer<AVFrame>, size: (width: Int, height: Int)?) throws -> RGBImage {
        let sw = f.pointee.width, sh = f.pointee.height
        // The requested size is after rotation; scale to the pre-rotation size that becomes it.
        var (ow, oh) = size.map { (Int32($0.width), Int32($0.height)) } ?? (sw, sh)
        if size != nil && rotationQuarterTurns % 2 == 1 { swap(&ow, &oh) }
        guard sw > 0, sh > 0, ow > 0, oh > 0 else {
            throw MediaError.decodeFailed(path: path, frames: [], reason: "empty picture")
        }
        scaler = sws_getCachedContext(scaler, sw, sh, AVPixelFormat(f.pointee.format), ow, oh, AV_PIX_FMT_RGB24,
                                      SWS_BICUBIC, nil, nil, nil)
        guard scaler != nil else {
            throw MediaError.decodeFailed(path: path, frames: [], reason: "no conversion from pixel format \(f.pointee.format) to RGB")
        }
        // swscale's vector paths may write a little past the last pixel of a row or of the
        // picture, so it writes into a padded buffer that is then copied out.
        let rowBytes = Int(ow) * 3, paddedStride = (rowBytes + 63) & ~63
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: paddedStride * (Int(oh) + 2))
        defer { scratch.deallocate() }
        let src = withUnsafeBytes(of: f.pointee.data) { Array($0.bindMemory(to: UnsafePointer<UInt8>?.self)) }
        let srcStride = withUnsafeBytes(of: f.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
        var dst: [UnsafeMutablePointer<UInt8>?] = [scratch, nil, nil, nil]
        var dstStride: [Int32] = [Int32(paddedStride), 0, 0, 0]
        sws_scale(scaler, src, srcStride, 0, sh, &dst, &dstStride)
        var pixels = [UInt8](repeating: 0, count: rowBytes * Int(oh))
        pixels.withUnsafeMutableBufferPointer { buf in
            for y in 0..<Int(oh) { (buf.baseAddress! + y * rowBytes).update(from: scratch + y * paddedStride, count: rowBytes) }
        }
        let image = RGBImage(width: Int(ow), height: Int(oh), pixels: pixels)
        return image.rotated(clockwiseQuarterTurns: rotationQuarterTurns)
    }
}

/// FFmpeg's message for an error code.
func ffmpegError(_ code: Int32) -> String {
    var buf = [CChar](repeating: 0, count: 256)
    return buf.withUnsafeMutableBufferPointer { String(cString: shim_err2str(code, $0.baseAddress, 256)) }
}
