#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/ncurses.h>

// ncurses macros do not import into Swift; these wrappers expose what the TUI needs.
static inline int ytce_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int ytce_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int ytce_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ytce_key_resize(void) { return KEY_RESIZE; }
