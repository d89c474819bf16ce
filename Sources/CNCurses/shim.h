#pragma once
// SwiftPM drops pkg-config's -D flags, so the wide-character API is switched on here.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

// Swift 6 rejects C global mutable variables and cast-expression macros: expose them as functions.
static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline WINDOW *shim_curscr(void) { return curscr; }
static inline int shim_COLORS(void) { return COLORS; }
static inline int shim_COLOR_PAIRS(void) { return COLOR_PAIRS; }
static inline int shim_LINES(void) { return LINES; }
static inline int shim_COLS(void) { return COLS; }
static inline attr_t shim_A_BOLD(void) { return A_BOLD; }
static inline attr_t shim_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t shim_A_DIM(void) { return A_DIM; }
static inline attr_t shim_A_UNDERLINE(void) { return A_UNDERLINE; }
