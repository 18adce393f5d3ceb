/* tests/one_cpu.h: pins the calling process to the first CPU it may use, for tests that run
 * code twice: as the machine allows (a gzip capture inflated by a thread of its own beside a
 * second CPU) and on one CPU (no thread). Needs _GNU_SOURCE before the first include. */
#ifndef FW_TEST_ONE_CPU_H
#define FW_TEST_ONE_CPU_H

#include <sched.h>
#include <stddef.h>

/* 0, or -1 if the affinity could not be read or set. */
static inline int test_pin_one_cpu(void)
{
    cpu_set_t set, one;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    CPU_ZERO(&one);
    for (size_t c = 0; c < (size_t)CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) {
            CPU_SET(c, &one);
            break;
        }
    return sched_setaffinity(0, sizeof one, &one);
}

#endif
