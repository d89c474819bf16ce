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
    /// `frameRate`. Odd sizes are cropped by one pixel to the even size 4:2:0 video needs.
    public static func writeVideo(_ frames: [RGBImage], frameRate: Double, to path: String) throws {
        guard let first = frames.first else { throw MediaError.writeFailed(path: path, reason: "no frames to write") }
        let w = first.width & ~1, h = first.height & ~1
        guard w > 0, h > 0 else { throw MediaError.writeFailed(path: path, reason: "frames of \(first.width)×\(first.height) are too small") }
        for f in frames where f.width != first.width || f.height != first.height {
            throw MediaError.sizeMismatch(path: path, expected: "\(first.width)×\(first.height) frames", found: "\(f.width)×\(f.height)")
        }
        let tmp = AtomicFile.temporaryPath(for: path)
        var oc: UnsafeMutablePointer<AVFormatContext>? = nil
        guard avformat_alloc_output_context2(&oc, nil, nil, path) >= 0, let out = oc else {
            throw MediaError.writeFailed(path: path, reason: "no container format for this file name")
        }
        defer { avformat_free_context(out) }
        let encoder = avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder(AV_CODEC_ID_H264)
            ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4)
        guard let encoder, let stream = avformat_new_stream(out, nil) else {
            throw MediaError.writeFailed(path: path, reason: "no H.264 or MPEG-4 encoder in the installed libavcodec")
        }
        var ctx = avcodec_alloc_context3(encoder)
        defer { avcodec_free_context(&ctx) }
        guard let c = ctx else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        let rate = av_d2q(frameRate > 0 ? frameRate : 25, 100_000)
        c.pointee.width = Int32(w)
        c.pointee.height = Int32(h)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: rate.den, den: rate.num)
        c.pointee.framerate = rate
        c.pointee.gop_size = 12
        if String(cString: encoder.pointee.name) == "libx264" {
            av_opt_set(c.pointee.priv_data, "preset", "veryfast", 0)
            av_opt_set(c.pointee.priv_data, "crf", "18", 0)
        } else {
            c.pointee.bit_rate = Int64(w * h) * 8
        }
        if out.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        guard avcodec_open2(c, encoder, nil) >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot open the video encoder") }
        avcodec_parameters_from_context(stream.pointee.codecpar, c)
        stream.pointee.time_base = c.pointee.time_base
        stream.pointee.avg_frame_rate = rate
        guard avio_open(&out.pointee.pb, tmp, AVIO_FLAG_WRITE) >= 0 else {
            throw MediaError.writeFailed(path: path, reason: "cannot create \(tmp)")
        }
        var finished = false
        defer {
            avio_closep(&out.pointee.pb)
            if !finished { unlink(tmp) }
        }
        guard avformat_write_header(out, nil) >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot write the container header") }
        let write: (UnsafeMutablePointer<AVPacket>) throws -> Void = { pkt in
            if pkt.pointee.duration == 0 { pkt.pointee.duration = 1 }   // one frame, so the rate survives muxing
            av_packet_rescale_ts(pkt, c.pointee.time_base, stream.pointee.time_base)
            pkt.pointee.stream_index = stream.pointee.index
            guard av_interleaved_write_frame(out, pkt) >= 0 else { throw MediaError.writeFailed(path: path, reason: "write error") }
        }
        for (i, image) in frames.enumerated() {
            let even = image.width == w && image.height == h ? image : image.cropped(x: 0, y: 0, width: w, height: h)
            try withFrame(even, format: AV_PIX_FMT_YUV420P, path: path) { frame in
                frame.pointee.pts = Int64(i)
                try encode(c, frame, path: path, write)
            }
        }
        try encode(c, nil, path: path, write)
        guard av_write_trailer(out) >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot finish the container") }
        avio_closep(&out.pointee.pb)
        do { try AtomicFile.commit(tmp, to: path) } catch let e as AtomicFile.WriteError {
            throw MediaError.writeFailed(path: path, reason: e.reason)
        }
        finished = true
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
