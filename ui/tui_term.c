/* ui/tui_term.c: tui_can_draw() (tui.h): whether $TERM can draw the view at all, asked of
 * terminfo before curses takes the terminal. A file of its own because <term.h> defines
 * macros named like ordinary words (lines, columns) that tui.c uses. Opening and painting are
 * tui.c's; what to print instead is the command's. */
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <term.h>
#include <unistd.h>

bool tui_can_draw(char why[FW_ERRLEN])
{
    const char *term = getenv("TERM");
    if (term == NULL || term[0] == '\0') {
        snprintf(why, FW_ERRLEN, "TERM is not set: the view cannot draw on this terminal");
        return false;
    }
    int errret = 0;
    /* errret given: setupterm says nothing on stderr. It fails for an unknown TERM, and for a
     * hardcopy or generic one. */
    if (setupterm(term, STDOUT_FILENO, &errret) != OK) {
        snprintf(why, FW_ERRLEN, "TERM=%.60s is %s: the view cannot draw on it", term,
                 errret == 1 ? "a hardcopy terminal" : "unknown to terminfo");
        return false;
    }
    const char *cup = tigetstr("cup");
    bool ok = cup != NULL && cup != (const char *)-1;
    del_curterm(cur_term);
    if (!ok)
        snprintf(why, FW_ERRLEN, "TERM=%.60s has no cursor addressing: the view cannot draw "
                 "on it", term);
    return ok;
}
