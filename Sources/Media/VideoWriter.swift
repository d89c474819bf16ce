import CFFmpeg
import Foundation
import TensorCore

/// Encodes frames one at a time into an H.264 MP4 (MPEG-4 part 2 when the libraries lack an H.264
/// encoder), so long renders never hold the whole clip in memory. The file is written under a
/// temporary name and appears at `path` only when `finish()` succeeds; a writer dropped unfinished
/// leaves nothing behind. Odd sizes are cropped by one pixel to the even size 4:2:0 needs.
public final class VideoWriter {
    public let path: String
    public let width: Int, height: Int
    let tmp: String
    var out: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    var stream: UnsafeMutablePointer<AVStream>
    var count = 0
    var finished = false

    public init(path: String, width: Int, height: Int, frameRate: Double) throws {
        self.path = path
        (self.width, self.height) = (width & ~1, height & ~1)
        guard self.width > 0, self.height > 0 else {
            throw MediaError.writeFailed(path: path, reason: "frames of \(width)×\(height) are too small")
        }
        tmp = AtomicFile.temporaryPath(for: path)
        var oc: UnsafeMutablePointer<AVFormatContext>? = nil
        guard avformat_alloc_output_context2(&oc, nil, nil, path) >= 0, let o = oc else {
            throw MediaError.writeFailed(path: path, reason: "no container format for this file name")
        }
        out = o
        let encoder = avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder(AV_CODEC_ID_H264)
            ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4)
        guard let encoder, let st = avformat_new_stream(o, nil), let c = avcodec_alloc_context3(encoder) else {
            avformat_free_context(o)
            throw MediaError.writeFailed(path: path, reason: "no H.264 or MPEG-4 encoder in the installed libavcodec")
        }
        stream = st
        codec = c
        let rate = av_d2q(frameRate > 0 ? frameRate : 25, 100_000)
        c.pointee.width = Int32(self.width)
        c.pointee.height = Int32(self.height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: rate.den, den: rate.num)
        c.pointee.framerate = rate
        c.pointee.gop_size = 12
        if String(cString: encoder.pointee.name) == "libx264" {
            av_opt_set(c.pointee.priv_data, "preset", "veryfast", 0)
            av_opt_set(c.pointee.priv_data, "crf", "18", 0)
        } else {
            c.pointee.bit_rate = Int64(self.width * self.height) * 8
        }
        if o.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 { c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        guard avcodec_open2(c, encoder, nil) >= 0 else { close(); throw MediaError.writeFailed(path: path, reason: "cannot open the video encoder") }
        avcodec_parameters_from_context(st.pointee.codecpar, c)
        st.pointee.time_base = c.pointee.time_base
        st.pointee.avg_frame_rate = rate
        guard avio_open(&o.pointee.pb, tmp, AVIO_FLAG_WRITE) >= 0 else {
            close()
            throw MediaError.writeFailed(path: path, reason: "cannot create \(tmp)")
        }
        guard avformat_write_header(o, nil) >= 0 else { close(); throw MediaError.writeFailed(path: path, reason: "cannot write the container header") }
    }

    deinit { close() }

    /// Encodes the next frame (same size as the first).
    public func append(_ image: RGBImage) throws {
        guard !finished, let c = codec else { throw MediaError.writeFailed(path: path, reason: "the writer is finished") }
        guard image.width & ~1 == width, image.height & ~1 == height else {
            throw MediaError.sizeMismatch(path: path, expected: "\(width)×\(height) frames", found: "\(image.width)×\(image.height)")
        }
        let even = image.width == width && image.height == height ? image : image.cropped(x: 0, y: 0, width: width, height: height)
        try MediaWriter.withFrame(even, format: AV_PIX_FMT_YUV420P, path: path) { frame in
            frame.pointee.pts = Int64(count)
            try MediaWriter.encode(c, frame, path: path, write)
        }
        count += 1
    }

    /// Flushes the encoder, closes the container and moves the file into place.
    public func finish() throws {
        guard !finished, let c = codec, let o = out else { return }
        guard count > 0 else { throw MediaError.writeFailed(path: path, reason: "no frames to write") }
        try MediaWriter.encode(c, nil, path: path, write)
        guard av_write_trailer(o) >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot finish the container") }
        avio_closep(&o.pointee.pb)
        do { try AtomicFile.commit(tmp, to: path) } catch let e as AtomicFile.WriteError {
            throw MediaError.writeFailed(path: path, reason: e.reason)
        }
        finished = true
        close()
    }

    func write(_ pkt: UnsafeMutablePointer<AVPacket>) throws {
        guard let c = codec, let o = out else { return }
        if pkt.pointee.duration == 0 { pkt.pointee.duration = 1 }   // one frame, so the rate survives muxing
        av_packet_rescale_ts(pkt, c.pointee.time_base, stream.pointee.time_base)
        pkt.pointee.stream_index = stream.pointee.index
        guard av_interleaved_write_frame(o, pkt) >= 0 else { throw MediaError.writeFailed(path: path, reason: "write error") }
    }

    func close() {
        if let o = out {
            if o.pointee.pb != nil { avio_closep(&o.pointee.pb) }
            avformat_free_context(o)
            out = nil
            if !finished { unlink(tmp) }
        }
        if codec != nil { avcodec_free_context(&codec) }
    }
}
