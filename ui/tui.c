/* ui/tui.c: the interactive view on a terminal (see tui.h). It paints the lines that
 * view_model_build() made, maps curses keys and mouse clicks to the model's, and owns the
 * terminal's state: cbreak, no echo, keypad, no cursor, button-1 mouse events only when asked
 * (the mouse otherwise stays the terminal's, for selecting and copying), colours only
 * when the terminal has them and NO_COLOR is unset (no-color.org); verdicts read the same
 * without them. The rules between panes are box drawing in a UTF-8 locale, ASCII elsewhere
 * (tui_can_draw_lines()). What w saves is the caller's (tui_set_save()). Layout, selection and
 * text are view_model's; the loop that waits for keys and frames is the caller's. While the view
 * is up, messages are kept (msg.h) and the newest is painted under the header; on every way
 * out the terminal is restored first, then they are printed. */
#include "tui.h"

#include "msg.h"

#define NCURSES_WIDECHAR 1 /* cchar_t and WACS_*: ncursesw's box drawing */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { TUI_PAIR_GOOD = 1, TUI_PAIR_BAD, TUI_PAIR_WARN };

struct tui {
    SCREEN *scr;
    bool colour;
    bool lines;      /* rules drawn with box drawing characters (else '-' and '=') */
    char *old_ctype; /* LC_CTYPE before the view, given back on close */
    struct view_sel sel;
    struct view_screen screen;
    tui_save_fn save;
    void *save_ctx;
};

/* One terminal at a time: the crash handler and atexit need to find it. */
static struct tui *tui_active;
/* SIGQUIT too: Ctrl-\ reaches us in cbreak mode, and its default dumps core like a crash. */
static const int tui_crash_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGQUIT };
#define TUI_NCRASH (sizeof tui_crash_signals / sizeof tui_crash_signals[0])
static struct sigaction tui_crash_old[TUI_NCRASH];
/* newterm() catches these where they are at their default, and delscreen() leaves its
 * handlers in place: after the view, SIGINT or SIGTERM would _exit(1), which reads as
 * "blocking found", with the report unflushed. tui_close() puts back what was there. */
static const int tui_curses_signals[] = { SIGINT, SIGTERM, SIGTSTP, SIGWINCH };
#define TUI_NCURSES_SIG (sizeof tui_curses_signals / sizeof tui_curses_signals[0])
static struct sigaction tui_curses_old[TUI_NCURSES_SIG];

/* A crash must not leave the user's terminal in raw mode with no cursor: endwin() is not
 * async-signal-safe, but the process is dying and a shell without echo is worse. The handler
 * is reset before it runs (SA_RESETHAND), so raising again ends the process as before. */
static void tui_on_crash(int signo)
{
    if (tui_active != NULL) {
        endwin();
        msg_release_on_crash();
    }
    raise(signo);
}

static void tui_atexit(void)
{
    if (tui_active != NULL) {
        endwin();
        msg_release();
    }
}

bool tui_is_possible(void)
{
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

static void tui_colours(struct tui *t)
{
    const char *nc = getenv("NO_COLOR");
    t->colour = (nc == NULL || nc[0] == '\0') && has_colors() && start_color() == OK;
    if (!t->colour)
        return;
    use_default_colors();
    init_pair(TUI_PAIR_GOOD, COLOR_GREEN, -1);
    init_pair(TUI_PAIR_BAD, COLOR_RED, -1);
    init_pair(TUI_PAIR_WARN, COLOR_YELLOW, -1);
}

/* LC_CTYPE only, from the environment, for as long as the view is open: it says how the
 * terminal decodes the bytes written to it, which is all ncursesw needs. LC_ALL would also
 * change LC_NUMERIC and the like for the reports printed afterwards. NULL: out of memory. */
static char *tui_locale_take(void)
{
    const char *cur = setlocale(LC_CTYPE, NULL);
    char *old = strdup(cur != NULL ? cur : "C");
    if (old != NULL && setlocale(LC_CTYPE, "") == NULL)
        setlocale(LC_CTYPE, old); /* a locale that is not installed: stay as we were (ASCII) */
    return old;
}

/* Box drawing is written as UTF-8 (WACS_* in ncursesw), so only when the locale's codeset is
 * UTF-8: LANG=C or a Latin-1 locale means a terminal that would show UTF-8 as garbage. The VT100
 * alternate character set (ACS_*) is no way out there: a terminal may not have it, and a screen
 * copied or logged shows its letters ("qqqq"). Then the terminal must agree: ncursesw maps
 * WACS_HLINE to U+2500 only when it can show it in this locale. */
static bool tui_can_draw_lines(void)
{
    const char *cs = nl_langinfo(CODESET);
    if (cs == NULL || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "UTF8") != 0))
        return false;
    wchar_t wch[CCHARW_MAX + 1] = { 0 };
    attr_t attrs;
    short pair;
    return getcchar(WACS_HLINE, wch, &attrs, &pair, NULL) != ERR && wch[0] == 0x2500 &&
           getcchar(WACS_D_HLINE, wch, &attrs, &pair, NULL) != ERR && wch[0] == 0x2550;
}

struct tui *tui_open(bool mouse, char err[FW_ERRLEN])
{
    static bool atexit_done;
    if (!tui_is_possible()) {
        snprintf(err, FW_ERRLEN, "the view needs a terminal on stdin and stdout");
        return NULL;
    }
    struct tui *t = calloc(1, sizeof *t);
    if (t == NULL) {
        snprintf(err, FW_ERRLEN, "out of memory");
        return NULL;
    }
    t->old_ctype = tui_locale_take();
    if (t->old_ctype == NULL) {
        snprintf(err, FW_ERRLEN, "out of memory");
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < TUI_NCURSES_SIG; i++)
        sigaction(tui_curses_signals[i], NULL, &tui_curses_old[i]);
    /* newterm, not initscr: initscr exits on an unknown TERM, newterm lets us say why. */
    t->scr = newterm(NULL, stdout, stdin);
    if (t->scr == NULL) {
        const char *term = getenv("TERM");
        snprintf(err, FW_ERRLEN, "cannot use the terminal (TERM=%s)", term ? term : "unset");
        setlocale(LC_CTYPE, t->old_ctype);
        free(t->old_ctype);
        free(t);
        return NULL;
    }
    t->lines = tui_can_draw_lines();
    tui_active = t;
    msg_hold(); /* the caller may have held them already, to show what came before the view */
    if (!atexit_done)
        atexit(tui_atexit);
    atexit_done = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tui_on_crash;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < TUI_NCRASH; i++)
        sigaction(tui_crash_signals[i], &sa, &tui_crash_old[i]);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25); /* Esc alone must feel immediate; escape sequences arrive together */
    curs_set(0);
    /* Clicks select where the terminal reports them; presses too, since some terminals send
     * no click. No interval: a press is acted on at once rather than held for a double-click.
     * Only when asked: a terminal reporting the mouse no longer lets the user select text. */
    if (mouse) {
        mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
        mouseinterval(0);
    }
    tui_colours(t);
    return t;
}

void tui_close(struct tui *t)
{
    if (t == NULL)
        return;
    curs_set(1);
    endwin();
    tui_active = NULL;
    for (size_t i = 0; i < TUI_NCRASH; i++)
        sigaction(tui_crash_signals[i], &tui_crash_old[i], NULL);
    delscreen(t->scr);
    for (size_t i = 0; i < TUI_NCURSES_SIG; i++)
        sigaction(tui_curses_signals[i], &tui_curses_old[i], NULL);
    setlocale(LC_CTYPE, t->old_ctype);
    free(t->old_ctype);
    free(t);
    msg_release(); /* the terminal is the user's again: what was kept can be printed */
}

int tui_fd(const struct tui *t)
{
    (void)t;
    return STDIN_FILENO;
}

const struct view_sel *tui_sel(const struct tui *t)
{
    return &t->sel;
}

void tui_set_save(struct tui *t, tui_save_fn fn, void *ctx)
{
    t->save = fn;
    t->save_ctx = ctx;
}

/* The click's selection, on the screen as last painted. */
static enum view_action tui_mouse(struct tui *t)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
        return VIEW_NONE;
    return view_model_click(&t->screen, &t->sel, ev.x, ev.y);
}

static int tui_map_key(int ch)
{
    switch (ch) {
    case KEY_UP:        return VIEW_KEY_UP;
    case KEY_DOWN:      return VIEW_KEY_DOWN;
    case KEY_LEFT:      return VIEW_KEY_LEFT;
    case KEY_RIGHT:     return VIEW_KEY_RIGHT;
    case KEY_PPAGE:     return VIEW_KEY_PGUP;
    case KEY_NPAGE:     return VIEW_KEY_PGDN;
    case KEY_HOME:      return VIEW_KEY_HOME;
    case KEY_END:       return VIEW_KEY_END;
    case '\t':          return VIEW_KEY_TAB;
    case '\n': case '\r': case KEY_ENTER: return VIEW_KEY_ENTER;
    case 27:            return VIEW_KEY_ESC;
    case KEY_BACKSPACE: case 127: case 8: return VIEW_KEY_BACKSPACE;
    default:            return ch >= 0x20 && ch < 0x7f ? ch : -1;
    }
}

enum view_action tui_keys(struct tui *t, const struct view_input *in)
{
    enum view_action act = VIEW_NONE;
    int ch;
    /* Bounded: a paste of thousands of keys must not starve the capture. */
    for (int i = 0; i < 256 && (ch = getch()) != ERR; i++) {
        if (ch == KEY_RESIZE) {
            act = VIEW_REDRAW;
            continue;
        }
        enum view_action a;
        if (ch == KEY_MOUSE) {
            a = tui_mouse(t);
        } else {
            int k = tui_map_key(ch);
            if (k < 0)
                continue;
            a = view_model_key(in, &t->sel, k);
        }
        if (a == VIEW_QUIT)
            return VIEW_QUIT;
        if (a == VIEW_SAVE) {
            if (t->save != NULL)
                t->save(t->save_ctx, t->sel.path, t->sel.msg);
            else
                snprintf(t->sel.msg, sizeof t->sel.msg, "nothing to save here");
            a = VIEW_REDRAW;
        }
        if (a == VIEW_REDRAW)
            act = VIEW_REDRAW;
    }
    return act;
}

static attr_t tui_attr(const struct tui *t, unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & VIEW_A_BOLD)
        r |= A_BOLD;
    if (a & VIEW_A_REVERSE)
        r |= A_REVERSE;
    if (!t->colour)
        return r; /* the text says the verdict; bold marks the blocking ones */
    if (a & VIEW_A_GOOD)
        r |= COLOR_PAIR(TUI_PAIR_GOOD);
    else if (a & VIEW_A_BAD)
        r |= COLOR_PAIR(TUI_PAIR_BAD);
    else if (a & VIEW_A_WARN)
        r |= COLOR_PAIR(TUI_PAIR_WARN);
    else if (a & VIEW_A_DIM)
        r |= A_DIM;
    return r;
}

/* A rule's '-' and '=' as lines (single, and double where j/k go); other characters, and
 * every character without box drawing, stay the model's ASCII as painted already. */
static void tui_rule(const struct tui *t, int y, const struct view_line *l, int col, int len)
{
    if (!t->lines)
        return;
    for (int x = col; x < col + len; x++) {
        if (l->text[x] == '-')
            mvadd_wch(y, x, WACS_HLINE);
        else if (l->text[x] == '=')
            mvadd_wch(y, x, WACS_D_HLINE);
    }
}

void tui_paint(struct tui *t, const struct view_input *in)
{
    int h, w;
    char message[VIEW_MAX_WIDTH + 1];
    struct view_input with = *in;
    with.nmessages = msg_last(message, sizeof message);
    with.message = message;
    getmaxyx(stdscr, h, w);
    view_model_build(&with, &t->sel, w, h, &t->screen);
    erase();
    for (int y = 0; y < t->screen.height && y < h; y++) {
        const struct view_line *l = &t->screen.line[y];
        /* The bottom-right cell would scroll some terminals: leave it alone. */
        int n = y == h - 1 ? t->screen.width - 1 : t->screen.width;
        attrset((int)tui_attr(t, l->attr));
        mvaddnstr(y, 0, l->text, n);
        for (int s = 0; s < l->nspans; s++) {
            const struct view_span *sp = &l->span[s];
            int len = sp->col + sp->len > n ? n - sp->col : sp->len;
            if (len <= 0)
                continue;
            attrset((int)tui_attr(t, l->attr | sp->attr));
            mvaddnstr(y, sp->col, l->text + sp->col, len);
            if (sp->attr & VIEW_A_RULE)
                tui_rule(t, y, l, sp->col, len);
        }
    }
    attrset(A_NORMAL);
    refresh();
}

static int tui_sig_pipe[2] = {-1, -1};

static void tui_on_stop(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (write(tui_sig_pipe[1], &b, 1) < 0) {
        /* full: a wake-up is pending already */
    }
    errno = saved;
}

int tui_browse(const struct view_input *in, bool mouse, char err[FW_ERRLEN])
{
    struct sigaction sa;
    if (pipe(tui_sig_pipe) != 0) {
        snprintf(err, FW_ERRLEN, "cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < 2; i++)
        fcntl(tui_sig_pipe[i], F_SETFL, fcntl(tui_sig_pipe[i], F_GETFL) | O_NONBLOCK);
    struct tui *t = tui_open(mouse, err);
    if (t == NULL) {
        close(tui_sig_pipe[0]);
        close(tui_sig_pipe[1]);
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tui_on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    tui_paint(t, in);
    for (;;) {
        struct pollfd pfd[2] = { { tui_fd(t), POLLIN, 0 }, { tui_sig_pipe[0], POLLIN, 0 } };
        int n = poll(pfd, 2, -1);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (pfd[1].revents & POLLIN))
            break; /* SIGINT or SIGTERM: restore the terminal, the caller goes on */
        if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
            break; /* the terminal went away */
        /* EINTR too: SIGWINCH leaves a KEY_RESIZE for getch(). */
        enum view_action a = tui_keys(t, in);
        if (a == VIEW_QUIT)
            break;
        if (a == VIEW_REDRAW)
            tui_paint(t, in);
    }
    tui_close(t); /* SIGINT and SIGTERM back as they were before tui_open(), too */
    close(tui_sig_pipe[0]);
    close(tui_sig_pipe[1]);
    tui_sig_pipe[0] = tui_sig_pipe[1] = -1;
    return 0;
}
