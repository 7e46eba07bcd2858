#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/ncurses.h>
#include <ncursesw/term.h>

// ncurses macros do not import into Swift; these wrappers expose what the TUI needs.
static inline int ytce_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int ytce_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int ytce_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ytce_key_resize(void) { return KEY_RESIZE; }

static inline int ytce_key_code_yes(void) { return KEY_CODE_YES; }
static inline int ytce_err(void) { return ERR; }
static inline int ytce_colors(void) { return COLORS; }
static inline int ytce_color_pairs(void) { return COLOR_PAIRS; }

// Key codes, so that a test can check the values the decoder hard-codes.
static inline int ytce_key_up(void) { return KEY_UP; }
static inline int ytce_key_down(void) { return KEY_DOWN; }
static inline int ytce_key_left(void) { return KEY_LEFT; }
static inline int ytce_key_right(void) { return KEY_RIGHT; }
static inline int ytce_key_home(void) { return KEY_HOME; }
static inline int ytce_key_end(void) { return KEY_END; }
static inline int ytce_key_backspace(void) { return KEY_BACKSPACE; }
static inline int ytce_key_f0(void) { return KEY_F0; }
static inline int ytce_key_dc(void) { return KEY_DC; }
static inline int ytce_key_ic(void) { return KEY_IC; }
static inline int ytce_key_npage(void) { return KEY_NPAGE; }
static inline int ytce_key_ppage(void) { return KEY_PPAGE; }
static inline int ytce_key_enter(void) { return KEY_ENTER; }
static inline int ytce_key_btab(void) { return KEY_BTAB; }
static inline int ytce_key_mouse(void) { return KEY_MOUSE; }

static inline attr_t ytce_attrs(int bold, int dim, int underline, int reverse, int italic) {
    attr_t a = A_NORMAL;
    if (bold) a |= A_BOLD;
    if (dim) a |= A_DIM;
    if (underline) a |= A_UNDERLINE;
    if (reverse) a |= A_REVERSE;
    if (italic) a |= A_ITALIC;
    return a;
}

// Paints one cell: up to CCHARW_MAX code points (a spacing character plus combining marks), with attributes
// and an extended colour pair (passed through `opts` so pairs above 32767 work).
static inline int ytce_put_cell(int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t c;
    int p = pair;
    if (setcchar(&c, wch, attrs, 0, &p) != OK) return ERR;
    return mvadd_wch(y, x, &c);
}

// Mouse: the buttons the runtime understands. Wheel is buttons 4 and 5.
static inline mmask_t ytce_mouse_mask_wanted(void) {
    return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON2_PRESSED | BUTTON2_CLICKED
         | BUTTON3_PRESSED | BUTTON3_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int ytce_mouse_button(mmask_t s) {
    if (s & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return 1;
    if (s & (BUTTON2_PRESSED | BUTTON2_CLICKED)) return 2;
    if (s & (BUTTON3_PRESSED | BUTTON3_CLICKED)) return 3;
    if (s & BUTTON4_PRESSED) return 4;
    if (s & BUTTON5_PRESSED) return 5;
    return 0;
}
static inline int ytce_get_mouse(int *x, int *y, int *button) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return ERR;
    *x = ev.x; *y = ev.y; *button = ytce_mouse_button(ev.bstate);
    return OK;
}

// A terminfo string capability, or NULL when the terminal lacks it.
static inline const char *ytce_tigetstr(const char *name) {
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1) return NULL;
    return s;
}

#include <sys/ioctl.h>
#include <unistd.h>
// The terminal's size from the kernel (after SIGWINCH), or -1.
static inline int ytce_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
static inline int ytce_ok(void) { return OK; }
// Globals are not concurrency-safe in Swift 6: read them here.
static inline WINDOW *ytce_stdscr(void) { return stdscr; }
static inline SCREEN *ytce_newterm(void) { return newterm(NULL, stdout, stdin); }
