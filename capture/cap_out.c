/* capture/cap_out.c: opening output files under one policy, and fds 0-2 (see cap_out.h). */
#include "cap_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An existing device or FIFO (/dev/null, /dev/full, a named pipe to a log shipper) holds no
 * file to overwrite: it is opened as it is, never created nor truncated. Opened first and
 * checked after, so that a regular file swapped in between is caught unharmed. */
static int out_open_special(const char *path, char err[FW_ERRLEN])
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))) {
        if (fd >= 0)
            close(fd);
        snprintf(err, FW_ERRLEN, "%s: %s (overwritten only with --force)", path,
                 strerror(EEXIST));
        return FW_EUSAGE;
    }
    return fd;
}

int cap_out_open(const char *path, bool force, bool *created, char err[FW_ERRLEN])
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    /* A new file first, even with force, so that the caller knows whether the file is its own. */
    int fd = open(path, flags | O_EXCL, 0644);
    *created = fd >= 0;
    if (fd >= 0)
        return fd;
    int e = errno;
    struct stat st = {0};
    bool is_link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    /* ELOOP also means a loop of links among the directories on the way: no link at path. */
    if ((e == ELOOP || e == EEXIST) && is_link) {
        snprintf(err, FW_ERRLEN, "%s: is a symbolic link (will not write through it)", path);
        return FW_EIO;
    }
    if (e == EEXIST && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
        return out_open_special(path, err);
    if (e == EEXIST && force) {
        /* --force replaces a file of evidence, never a directory or a disk. */
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, FW_ERRLEN, "%s: exists and is not a regular file (will not write "
                     "over it, even with --force)", path);
            return FW_EIO;
        }
        fd = open(path, flags | O_TRUNC, 0644);
        if (fd >= 0)
            return fd;
        e = errno;
        if (e == ELOOP) { /* a link put there since the lstat */
            snprintf(err, FW_ERRLEN, "%s: is a symbolic link (will not write through it)",
                     path);
            return FW_EIO;
        }
    }
    if (e == EEXIST) {
        snprintf(err, FW_ERRLEN, "%s: %s (overwritten only with --force)", path, strerror(e));
        return FW_EUSAGE;
    }
    snprintf(err, FW_ERRLEN, "%s: %s", path, strerror(e));
    return FW_EIO;
}

static bool std_closed[3];

int cap_out_std_fds(void)
{
    bool *was_closed = std_closed;
    for (int fd = 0; fd < 3; fd++) {
        was_closed[fd] = fcntl(fd, F_GETFD) < 0 && errno == EBADF;
        if (!was_closed[fd])
            continue;
        /* open() takes the lowest free number: this one, since the lower ones are open. */
        int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (nfd != fd) {
            if (nfd >= 0)
                close(nfd);
            return -1;
        }
    }
    return 0;
}

bool cap_out_std_was_closed(int fd)
{
    return fd >= 0 && fd < 3 && std_closed[fd];
}
