#pragma once
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <errno.h>

// Function-like and cast macros do not import into Swift.
static inline int shim_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int shim_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int64_t shim_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline const char *shim_err2str(int e, char *b, size_t n) { return av_make_error_string(b, n, e); }
