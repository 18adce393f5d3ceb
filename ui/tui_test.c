/* ui/tui_test.c: the terminal handling of the view (tui.c) on a pseudo-terminal of its own:
 * closing the view puts back the signal handlers curses took (else SIGINT after the view would
 * _exit(1), which reads as "blocking found"), and Ctrl-\ (SIGQUIT) with the view up restores
 * the terminal and prints the messages kept before the process dies. What is painted is
 * view_model's tests'; keys and screens end to end are tests/tui's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "msg.h"
#include "tui.h"

/* A pseudo-terminal as stdin and stdout; the old ones are given back by pty_stop(). */
struct pty {
    int master, slave, saved_in, saved_out;
};

static void pty_start(struct pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(p->master >= 0);
    assert_int_equal(grantpt(p->master), 0);
    assert_int_equal(unlockpt(p->master), 0);
    p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
    assert_true(p->slave >= 0);
    fflush(stdout);
    p->saved_in = dup(STDIN_FILENO);
    p->saved_out = dup(STDOUT_FILENO);
    assert_true(p->saved_in >= 0 && p->saved_out >= 0);
    assert_true(dup2(p->slave, STDIN_FILENO) >= 0 && dup2(p->slave, STDOUT_FILENO) >= 0);
    setenv("TERM", "xterm", 1);
    unsetenv("LINES");
    unsetenv("COLUMNS");
}

static void pty_stop(struct pty *p)
{
    fflush(stdout);
    dup2(p->saved_in, STDIN_FILENO);
    dup2(p->saved_out, STDOUT_FILENO);
    close(p->saved_in);
    close(p->saved_out);
    close(p->slave);
    close(p->master);
}

static bool at_default(int signo)
{
    struct sigaction sa;
    assert_int_equal(sigaction(signo, NULL, &sa), 0);
    return sa.sa_handler == SIG_DFL;
}

static void closing_gives_the_signals_back(void **state)
{
    (void)state;
    static const int sigs[] = { SIGINT, SIGTERM, SIGTSTP, SIGWINCH, SIGQUIT };
    struct pty p;
    char err[FW_ERRLEN] = "";
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        assert_true(at_default(sigs[i]));
    pty_start(&p);
    struct tui *t = tui_open(false, err);
    assert_non_null(t);
    assert_false(at_default(SIGINT));  /* curses' own while the view is up */
    assert_false(at_default(SIGQUIT)); /* ours */
    tui_close(t);
    pty_stop(&p);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        assert_true(at_default(sigs[i]));
}

/* The child opens the view on the pty, keeps a message, and gets SIGQUIT. */
static void quit_in_the_view(struct pty *p, int errfd)
{
    char err[FW_ERRLEN];
    struct rlimit none = { 0, 0 };
    setrlimit(RLIMIT_CORE, &none); /* SIGQUIT dumps core: not in the build directory */
    dup2(errfd, STDERR_FILENO);
    dup2(p->slave, STDIN_FILENO);
    dup2(p->slave, STDOUT_FILENO);
    if (tui_open(false, err) == NULL)
        _exit(3);
    msg_printf("fwsight: warning: kept while the view was up\n");
    raise(SIGQUIT);
    _exit(4); /* not reached: the handler raises it again at its default */
}

static void ctrl_backslash_restores_the_terminal(void **state)
{
    (void)state;
    struct pty p;
    int errpipe[2];
    pty_start(&p);
    assert_int_equal(pipe(errpipe), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        quit_in_the_view(&p, errpipe[1]);
    close(errpipe[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGQUIT);
    char out[8192] = "", msg[256] = "";
    size_t got = 0;
    ssize_t n;
    fcntl(p.master, F_SETFL, fcntl(p.master, F_GETFL) | O_NONBLOCK);
    while (got < sizeof out - 1 && (n = read(p.master, out + got, sizeof out - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    assert_true(got > 0);
    assert_non_null(strstr(out, "\x1b[?1049l")); /* endwin(): the alternate screen left */
    struct termios tio;
    assert_int_equal(tcgetattr(p.slave, &tio), 0);
    assert_true((tio.c_lflag & ECHO) && (tio.c_lflag & ICANON));
    assert_true(read(errpipe[0], msg, sizeof msg - 1) > 0);
    assert_string_equal(msg, "fwsight: warning: kept while the view was up\n");
    close(errpipe[0]);
    pty_stop(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closing_gives_the_signals_back),
        cmocka_unit_test(ctrl_backslash_restores_the_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
