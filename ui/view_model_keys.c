/* ui/view_model_keys.c: view_model_key(): what each key does to the selection (struct
 * view_sel), as less would: the filter after '&', the search after '/' (whose matching is
 * view_model_search.c's), the path after w, moving and paging, the panes, the host pairs, and
 * c, the change to make on the whole screen (where the moves scroll it). It
 * changes the selection only: what exists (rows, pairs) is read from view_model.c, the screen
 * is built from the selection by view_model_screen.c, and clamps what a key cannot know (the
 * last line of the evidence). */
#include "view_model_int.h"

#include <stdio.h>
#include <string.h>

/* The filter being typed after '&' (less's key for it): printable ASCII goes in, Enter keeps it,
 * Esc drops it. */
static enum view_action view_key_filter(struct view_sel *sel, int key)
{
    size_t len = strlen(sel->filter);
    if (key == VIEW_KEY_ENTER) {
        sel->editing = false;
    } else if (key == VIEW_KEY_ESC) {
        sel->editing = false;
        sel->filter[0] = '\0';
    } else if (key == VIEW_KEY_BACKSPACE) {
        if (len > 0)
            sel->filter[len - 1] = '\0';
    } else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof sel->filter) {
        sel->filter[len] = (char)key;
        sel->filter[len + 1] = '\0';
    } else {
        return VIEW_NONE;
    }
    sel->row = sel->top = 0;
    sel->scroll = 0;
    return VIEW_REDRAW;
}

/* The path being typed after w, like less's prompt: Enter saves, Esc or an empty path does not. */
static enum view_action view_key_path(struct view_sel *sel, int key)
{
    size_t len = strlen(sel->path);
    if (key == VIEW_KEY_ENTER) {
        sel->prompting = false;
        if (len > 0)
            return VIEW_SAVE;
        snprintf(sel->msg, sizeof sel->msg, "not saved");
    } else if (key == VIEW_KEY_ESC) {
        sel->prompting = false;
        snprintf(sel->msg, sizeof sel->msg, "not saved");
    } else if (key == VIEW_KEY_BACKSPACE) {
        if (len > 0)
            sel->path[len - 1] = '\0';
    } else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof sel->path) {
        sel->path[len] = (char)key;
        sel->path[len + 1] = '\0';
    } else {
        return VIEW_NONE;
    }
    return VIEW_REDRAW;
}

/* w: offline the capture is a file already; live it flushes the file being written, or asks
 * where to start one. */
static enum view_action view_key_save(const struct view_input *in, struct view_sel *sel)
{
    if (in->on_disk != NULL) {
        snprintf(sel->msg, sizeof sel->msg, "capture already on disk: %s", in->on_disk);
        return VIEW_REDRAW;
    }
    if (in->saving)
        return VIEW_SAVE;
    sel->prompting = true;
    sel->path[0] = '\0';
    return VIEW_REDRAW;
}

static void view_move(const struct view_input *in, struct view_sel *sel, long delta)
{
    if (sel->pane != VIEW_PANE_MATRIX || sel->changes) {
        long s = (long)sel->scroll + delta;
        sel->scroll = s < 0 ? 0 : s > 10000 ? 10000 : (int)s; /* the build clamps the end */
        return;
    }
    size_t n = view_model_rows(in, sel);
    long r = (long)sel->row + delta;
    if (n == 0 || r < 0)
        r = 0;
    else if ((size_t)r >= n)
        r = (long)n - 1;
    if ((size_t)r != sel->row)
        sel->scroll = 0;
    sel->row = (size_t)r;
}

static void view_next_pair(const struct view_input *in, struct view_sel *sel, bool back)
{
    size_t n = view_model_pairs(in->vc);
    if (n == 0)
        return;
    sel->pair = back ? (sel->pair + n - 1) % n : (sel->pair + 1) % n;
    sel->row = sel->top = 0;
    sel->scroll = 0;
}

/* The keys that move (or scroll): they work on whatever is shown. */
static bool view_is_move(int key)
{
    switch (key) {
    case VIEW_KEY_UP: case 'k': case VIEW_KEY_DOWN: case 'j': case VIEW_KEY_PGUP:
    case VIEW_KEY_PGDN: case ' ': case VIEW_KEY_HOME: case 'g': case VIEW_KEY_END: case 'G':
        return true;
    default:
        return false;
    }
}

enum view_action view_model_key(const struct view_input *in, struct view_sel *sel, int key)
{
    if (sel->editing)
        return view_key_filter(sel, key);
    if (sel->searching)
        return view_key_search(in, sel, key);
    if (sel->prompting)
        return view_key_path(sel, key);
    if (sel->msg[0] != '\0') {
        /* The message goes with the next key, which still does what it does. */
        sel->msg[0] = '\0';
        enum view_action a = view_model_key(in, sel, key);
        return a == VIEW_NONE ? VIEW_REDRAW : a;
    }
    if (key == 'q')
        return VIEW_QUIT;
    if (sel->help) {
        /* Like less: any key leaves the help. */
        sel->help = false;
        return VIEW_REDRAW;
    }
    if (sel->changes && key != '?' && key != 'p' && key != 'w' && !view_is_move(key)) {
        /* The change to make on the whole screen: c or Esc go back; what would act on the
         * matrix, unseen under it, does nothing. */
        if (key != 'c' && key != VIEW_KEY_ESC)
            return VIEW_NONE;
        sel->changes = false;
        sel->scroll = 0;
        return VIEW_REDRAW;
    }
    switch (key) {
    case '?': sel->help = true; break;
    case 'c': sel->changes = true; sel->scroll = 0; break;
    case '/': sel->searching = true; sel->typed[0] = '\0'; break;
    case 'n': view_search_step(in, sel, false, false); break;
    case 'N': view_search_step(in, sel, true, false); break;
    case '&': sel->editing = true; sel->filter[0] = '\0'; sel->row = sel->top = 0; break;
    case 's': sel->sort = (enum view_sort)((sel->sort + 1) % VIEW_SORT_COUNT);
              sel->row = sel->top = 0; break;
    case ']': view_next_pair(in, sel, false); break;
    case '[': view_next_pair(in, sel, true); break;
    case 'p': sel->paused = !sel->paused; break;
    case 'w': return view_key_save(in, sel);
    case VIEW_KEY_TAB:
        /* matrix -> evidence -> attempts: the lower pane shows the attempts while they have
         * the focus, the evidence otherwise, so 80x24 keeps half its body for the matrix. */
        sel->pane = sel->pane == VIEW_PANE_MATRIX     ? VIEW_PANE_EVIDENCE
                    : sel->pane == VIEW_PANE_EVIDENCE ? VIEW_PANE_ATTEMPTS
                                                      : VIEW_PANE_MATRIX;
        sel->scroll = 0;
        break;
    case 'a': sel->all_attempts = !sel->all_attempts; sel->pane = VIEW_PANE_ATTEMPTS;
              sel->scroll = 0; break;
    case VIEW_KEY_ENTER:
        sel->zoom = true;
        if (sel->pane == VIEW_PANE_MATRIX)
            sel->pane = VIEW_PANE_EVIDENCE;
        sel->scroll = 0;
        break;
    case VIEW_KEY_ESC:
        if (sel->zoom || sel->pane != VIEW_PANE_MATRIX) {
            sel->zoom = false;
            sel->pane = VIEW_PANE_MATRIX;
        } else if (sel->filter[0] != '\0') {
            sel->filter[0] = '\0';
            sel->row = sel->top = 0;
        } else if (sel->search[0] != '\0') {
            sel->search[0] = '\0'; /* the matches are no longer marked */
        } else {
            return VIEW_NONE;
        }
        break;
    case VIEW_KEY_UP: case 'k': view_move(in, sel, -1); break;
    case VIEW_KEY_DOWN: case 'j': view_move(in, sel, 1); break;
    case VIEW_KEY_PGUP: view_move(in, sel, -10); break;
    case VIEW_KEY_PGDN: case ' ': view_move(in, sel, 10); break;
    case VIEW_KEY_HOME: case 'g': view_move(in, sel, -1000000); break;
    case VIEW_KEY_END: case 'G': view_move(in, sel, 1000000); break;
    case VIEW_KEY_LEFT: case 'h': sel->col = 0; sel->scroll = 0; break;
    case VIEW_KEY_RIGHT: case 'l': sel->col = 1; sel->scroll = 0; break;
    default: return VIEW_NONE;
    }
    return VIEW_REDRAW;
}
