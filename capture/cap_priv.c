/* capture/cap_priv.c: dropping root after the device is open (see cap_priv.h). Files first
 * (only root may give them away), the bounding set (only with CAP_SETPCAP, so still root), then
 * groups, the group id and the user id: once the uid is gone, the others cannot be changed.
 * Last, what is left is checked, not assumed. */
#define _GNU_SOURCE /* getresuid(), getresgid() */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cap_priv.h"

/* Clears every capability of the process (effective, permitted, inheritable, ambient) with raw
 * syscalls, so as not to need libcap, and verifies. Allowed without privilege: it only lowers. */
static int priv_clear_caps(char err[FW_ERRLEN])
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    /* Before the kernel knew ambient capabilities (4.3) there were none to clear. */
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (syscall(SYS_capset, &h, d) != 0) {
        snprintf(err, FW_ERRLEN, "cannot give up capabilities: %s: refusing to analyse "
                 "packets with them", strerror(errno));
        return FW_EIO;
    }
    if (syscall(SYS_capget, &h, d) != 0 || d[0].effective != 0 || d[1].effective != 0 ||
        d[0].permitted != 0 || d[1].permitted != 0) {
        snprintf(err, FW_ERRLEN, "capabilities are still held after dropping them: refusing "
                 "to analyse packets with them");
        return FW_EIO;
    }
    return 0;
}

/* No exec can give privileges back (setuid binaries, file capabilities): a parser bug that
 * reaches execve() gets nothing from it. */
static int priv_no_new_privs(char err[FW_ERRLEN])
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        snprintf(err, FW_ERRLEN, "cannot set no_new_privs: %s: refusing to analyse packets",
                 strerror(errno));
        return FW_EIO;
    }
    return 0;
}

/* Whether the file open on fd may be given away: a regular file of root's with one name,
 * which path names directly. So never -w /dev/null, a hard link to another file, a file that
 * --force overwrote for its owner, nor one a symlink planted at path led to (or that was
 * swapped since): root may have written through it, but it gives nothing away. */
static bool priv_may_give(int fd, const char *path)
{
    struct stat st, lst;
    return fd >= 0 && path != NULL && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
           st.st_nlink == 1 && st.st_uid == 0 && lstat(path, &lst) == 0 &&
           S_ISREG(lst.st_mode) && lst.st_dev == st.st_dev && lst.st_ino == st.st_ino;
}

/* The -w file was created by root: it goes to the user it was saved for (as tcpdump -Z does),
 * who can then read and delete it. */
static void priv_give_files(const struct cap_priv_file *files, size_t nfiles, uid_t uid,
                            gid_t gid, const char *user, char warn[FW_ERRLEN])
{
    for (size_t i = 0; i < nfiles; i++) {
        if (!priv_may_give(files[i].fd, files[i].path))
            continue;
        if (fchown(files[i].fd, uid, gid) != 0 && warn[0] == '\0')
            snprintf(warn, FW_ERRLEN, "%s stays root's: cannot give it to %s: %s",
                     files[i].path, user, strerror(errno));
    }
}

/* Empties the bounding set while CAP_SETPCAP is still held. Best effort: without CAP_SETPCAP
 * (a restricted container) no_new_privs already keeps exec from using it. */
static void priv_clear_bounding(void)
{
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break; /* past the last capability this kernel knows */
}

/* setuid() from root sets all three uids; verifies that, and that the way back is closed. */
static bool priv_is_user(uid_t uid, gid_t gid)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    return getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0 && r == uid &&
           e == uid && s == uid && rg == gid && eg == gid && sg == gid && setuid(0) != 0;
}

int cap_priv_drop(const char *user, const struct cap_priv_file *files, size_t nfiles,
                  bool *dropped, char warn[FW_ERRLEN], char err[FW_ERRLEN])
{
    *dropped = false;
    warn[0] = '\0';
    if (getuid() != 0 && geteuid() != 0)
        return priv_clear_caps(err) != 0 ? FW_EIO : priv_no_new_privs(err);
    if (user == NULL || user[0] == '\0')
        user = CAP_PRIV_DEFAULT_USER;

    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(err, FW_ERRLEN, "-Z %s: no such user%s%s: refusing to analyse packets as root",
                 user, errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
        return FW_EIO;
    }
    if (pw->pw_uid == 0) {
        snprintf(err, FW_ERRLEN, "-Z %s: that user is root: name an unprivileged one", user);
        return FW_EIO;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    priv_give_files(files, nfiles, uid, gid, user, warn);
    priv_clear_bounding();
    const char *step = NULL;
    if (setgroups(1, &gid) != 0)
        step = "setgroups";
    else if (setgid(gid) != 0)
        step = "setgid";
    else if (setuid(uid) != 0)
        step = "setuid";
    if (step != NULL) {
        snprintf(err, FW_ERRLEN, "-Z %s: %s failed: %s: refusing to analyse packets as root",
                 user, step, strerror(errno));
        return FW_EIO;
    }
    if (!priv_is_user(uid, gid)) {
        snprintf(err, FW_ERRLEN, "-Z %s: privileges were not fully dropped: refusing to "
                 "analyse packets", user);
        return FW_EIO;
    }
    if (priv_clear_caps(err) != 0 || priv_no_new_privs(err) != 0)
        return FW_EIO;
    *dropped = true;
    return 0;
}
