/* ui/msg.c: messages printed at once, or kept while the view is up (see msg.h). What is kept
 * lives in one static buffer: nothing to allocate on the way to an error message, and a crash
 * handler can write it out as it is.
 *
 * Only fwsight's own messages come through here. stderr itself is not redirected while the view
 * is up (dup2 to a pipe or a file, replayed afterwards), on purpose: the libraries write nothing
 * to it then (libpcap's only direct writes, about the kernel filter, happen in pcap_setfilter(),
 * before the view opens; ncurses and zlib report through return values), which leaves the
 * reports written just before the process dies (sanitizers, glibc's heap checks). A redirection
 * would hide those: AddressSanitizer's default exit runs no handler that could replay them. A
 * garbled screen that shows them is better than a clean one that loses them. */
#include "msg.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MSG_PROG "fwsight: "
#define MSG_LAST_LEN 512 /* the newest, for the view: wider than any screen line */

static struct {
    bool held;
    char kept[MSG_KEEP_LEN]; /* [0, used): the messages kept, in order, as they would print */
    size_t used;
    size_t count, lost;      /* kept or not; lost: did not fit */
    char last[MSG_LAST_LEN];
} msg;

void msg_printf(const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    if (!msg.held) {
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        return;
    }
    va_copy(again, ap);
    vsnprintf(msg.last, sizeof msg.last, fmt, ap);
    size_t room = sizeof msg.kept - msg.used; /* used < sizeof: room >= 1 */
    int n = vsnprintf(msg.kept + msg.used, room, fmt, again);
    if (n >= 0 && (size_t)n < room)
        msg.used += (size_t)n;
    else
        msg.lost++; /* the part written is past used: overwritten by the next one that fits */
    msg.count++;
    va_end(again);
    va_end(ap);
}

void msg_hold(void)
{
    if (msg.held)
        return;
    msg.held = true;
    msg.used = msg.count = msg.lost = 0;
    msg.last[0] = '\0';
}

void msg_release(void)
{
    if (!msg.held)
        return;
    msg.held = false;
    fwrite(msg.kept, 1, msg.used, stderr);
    if (msg.lost > 0)
        fprintf(stderr, "fwsight: %zu more message%s not kept while the view was open\n",
                msg.lost, msg.lost == 1 ? " was" : "s were");
    fflush(stderr);
}

static void msg_write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, p, len);
        if (n <= 0)
            return; /* dying anyway: nothing better to do */
        p += n;
        len -= (size_t)n;
    }
}

void msg_release_on_crash(void)
{
    static const char more[] = "fwsight: more messages were not kept while the view was open\n";
    if (!msg.held)
        return;
    msg.held = false;
    msg_write_all(msg.kept, msg.used);
    if (msg.lost > 0)
        msg_write_all(more, sizeof more - 1);
}

size_t msg_last(char *buf, size_t len)
{
    if (len == 0)
        return msg.held ? msg.count : 0;
    buf[0] = '\0';
    if (!msg.held || msg.count == 0)
        return 0;
    const char *s = msg.last;
    if (strncmp(s, MSG_PROG, strlen(MSG_PROG)) == 0)
        s += strlen(MSG_PROG);
    snprintf(buf, len, "%s", s);
    /* One line: a newline inside becomes a space, the last one goes. */
    size_t n = strlen(buf);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
            buf[i] = ' ';
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return msg.count;
}
