#pragma once
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <errno.h>

// Function-like and cast macros do not import into Swift.
static inline int shim_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int shim_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int64_t shim_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline const char *shim_err2str(int e, char *b, size_t n) { return av_make_error_string(b, n, e); }
#include <libavutil/display.h>

// Rotation in degrees (counter-clockwise, as ffprobe prints it) from a stream's display matrix, 0 if none.
static inline double shim_stream_rotation(const AVStream *st) {
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t)) return 0;
    return av_display_rotation_get((const int32_t *)m);
}
static inline int shim_AVERROR_DECODER_NOT_FOUND(void) { return AVERROR_DECODER_NOT_FOUND; }
