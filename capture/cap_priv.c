/* capture/cap_priv.c: dropping root after the device is open (see cap_priv.h). Groups first,
 * then the group id, then the user id: once the uid is gone, the others cannot be changed. */
#define _GNU_SOURCE /* getresuid(), getresgid() */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cap_priv.h"

/* Not root, but capturing: the binary was given CAP_NET_RAW,CAP_NET_ADMIN (setcap). The open
 * handle needs none of them any more, so all go: raw syscalls, so as not to need libcap. */
static int priv_clear_caps(char err[FW_ERRLEN])
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
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

int cap_priv_drop(const char *user, bool *dropped, char err[FW_ERRLEN])
{
    *dropped = false;
    if (getuid() != 0 && geteuid() != 0)
        return priv_clear_caps(err);
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
    /* setuid() from root sets all three uids; verify, and that the way back is closed. */
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != uid || e != uid ||
        s != uid || rg != gid || eg != gid || sg != gid || setuid(0) == 0) {
        snprintf(err, FW_ERRLEN, "-Z %s: privileges were not fully dropped: refusing to "
                 "analyse packets", user);
        return FW_EIO;
    }
    *dropped = true;
    return 0;
}
