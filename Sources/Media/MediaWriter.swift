import CFFmpeg
import Foundation
import TensorCore

/// Writes PNG images and MP4 videos through libavcodec/libavformat. Files appear atomically: the
/// encoder writes a temporary file beside the target, which is renamed into place when complete.
public enum MediaWriter {
    /// A lossless PNG of `image`.
    public static func writePNG(_ image: RGBImage, to path: String) throws {
        try writeImage(image, codec: AV_CODEC_ID_PNG, name: "PNG", format: AV_PIX_FMT_RGB24, to: path)
    }

    /// A baseline JPEG of `image` (4:2:0); `quality` 1–100 as in common image tools (mapped onto
    /// the encoder's quantiser scale 2–31).
    public static func writeJPEG(_ image: RGBImage, quality: Int = 90, to path: String) throws {
        let q = max(1, min(100, quality))
        let qscale = Int32(2 + (100 - q) * 29 / 99)
        try writeImage(image, codec: AV_CODEC_ID_MJPEG, name: "JPEG", format: AV_PIX_FMT_YUV420P, to: path) { c in
            c.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            c.pointee.global_quality = qscale * Int32(FF_QP2LAMBDA)
            c.pointee.color_range = AVCOL_RANGE_JPEG
        }
    }

    /// One still image through an image encoder, written atomically.
    static func writeImage(_ image: RGBImage, codec: AVCodecID, name: String, format: AVPixelFormat, to path: String,
                           configure: (UnsafeMutablePointer<AVCodecContext>) -> Void = { _ in }) throws {
        guard let encoder = avcodec_find_encoder(codec) else {
            throw MediaError.writeFailed(path: path, reason: "the installed libavcodec has no \(name) encoder")
        }
        var ctx = avcodec_alloc_context3(encoder)
        defer { avcodec_free_context(&ctx) }
        guard let c = ctx else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        c.pointee.width = Int32(image.width)
        c.pointee.height = Int32(image.height)
        c.pointee.pix_fmt = format
        c.pointee.time_base = AVRational(num: 1, den: 25)
        configure(c)
        guard avcodec_open2(c, encoder, nil) >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot open the \(name) encoder") }
        var data = Data()
        try withFrame(image, format: format, fullRange: c.pointee.color_range == AVCOL_RANGE_JPEG, path: path) { frame in
            frame.pointee.color_range = c.pointee.color_range
            frame.pointee.quality = c.pointee.global_quality
            try encode(c, frame, path: path) { data.append($0.pointee.data, count: Int($0.pointee.size)) }
            try encode(c, nil, path: path) { data.append($0.pointee.data, count: Int($0.pointee.size)) }
        }
        do { try AtomicFile.write(data, to: path) } catch let e as AtomicFile.WriteError {
            throw MediaError.writeFailed(path: path, reason: e.reason)
        }
    }

    /// An H.264 MP4 (MPEG-4 part 2 when the libraries lack an H.264 encoder) of `frames` at
    /// `frameRate`; see `VideoWriter` for writing frame by frame.
    public static func writeVideo(_ frames: [RGBImage], frameRate: Double, to path: String) throws {
        guard let first = frames.first else { throw MediaError.writeFailed(path: path, reason: "no frames to write") }
        let writer = try VideoWriter(path: path, width: first.width, height: first.height, frameRate: frameRate)
        for f in frames { try writer.append(f) }
        try writer.finish()
    }

    /// An AVFrame holding `image` converted to `format`.
    /// `fullRange` asks for YUV in 0–255 (JPEG) instead of video's 16–235.
    static func withFrame(_ image: RGBImage, format: AVPixelFormat, fullRange: Bool = false, path: String,
                          _ body: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws {
        var frame = av_frame_alloc()
        defer { av_frame_free(&frame) }
        guard let f = frame else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        f.pointee.width = Int32(image.width)
        f.pointee.height = Int32(image.height)
        f.pointee.format = format.rawValue
        guard av_frame_get_buffer(f, 0) >= 0 else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        let sws = sws_getContext(Int32(image.width), Int32(image.height), AV_PIX_FMT_RGB24, Int32(image.width), Int32(image.height),
                                 format, SWS_BICUBIC, nil, nil, nil)
        defer { sws_freeContext(sws) }
        if fullRange {
            let table = sws_getCoefficients(SWS_CS_DEFAULT)
            sws_setColorspaceDetails(sws, table, 1, table, 1, 0, 1 << 16, 1 << 16)
        }
        image.pixels.withUnsafeBufferPointer { src in
            var srcData: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var srcStride: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            let dst = withUnsafeBytes(of: &f.pointee.data) { Array($0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)) }
            let dstStride = withUnsafeBytes(of: &f.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
            sws_scale(sws, &srcData, &srcStride, 0, Int32(image.height), dst, dstStride)
        }
        try body(f)
    }

    /// Sends one frame (nil flushes) and hands every packet that comes out to `sink`.
    static func encode(_ c: UnsafeMutablePointer<AVCodecContext>, _ frame: UnsafeMutablePointer<AVFrame>?, path: String,
                       _ sink: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard avcodec_send_frame(c, frame) >= 0 else { throw MediaError.writeFailed(path: path, reason: "the encoder rejected a frame") }
        var pkt = av_packet_alloc()
        defer { av_packet_free(&pkt) }
        while true {
            let r = avcodec_receive_packet(c, pkt)
            if r == shim_AVERROR_EAGAIN() || r == shim_AVERROR_EOF() { return }
            guard r >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegError(r)) }
            try sink(pkt!)
            av_packet_unref(pkt)
        }
    }
}
