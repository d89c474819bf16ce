import CFFmpeg
import Foundation
import TensorCore

/// Writes PNG images and MP4 videos through libavcodec/libavformat. Files appear atomically: the
/// encoder writes a temporary file beside the target, which is renamed into place when complete.
public enum MediaWriter {
    /// A lossless PNG of `image`.
    public static func writePNG(_ image: RGBImage, to path: String) throws {
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_PNG) else {
            throw MediaError.writeFailed(path: path, reason: "the installed libavcodec has no PNG encoder")
        }
        var ctx = avcodec_alloc_context3(encoder)
        defer { avcodec_free_context(&ctx) }
        guard let c = ctx else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        c.pointee.width = Int32(image.width)
        c.pointee.height = Int32(image.height)
        c.pointee.pix_fmt = AV_PIX_FMT_RGB24
        c.pointee.time_base = AVRational(num: 1, den: 25)
        guard avcodec_open2(c, encoder, nil) >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot open the PNG encoder") }
        var data = Data()
        try withFrame(image, format: AV_PIX_FMT_RGB24, path: path) { frame in
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
    static func withFrame(_ image: RGBImage, format: AVPixelFormat, path: String,
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
