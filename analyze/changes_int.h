/* analyze/changes_int.h: what changes.c (the rules) and changes_fold.c (the tests to run, the
 * RPC advice, the texts) share. */
#ifndef FW_CHANGES_INT_H
#define FW_CHANGES_INT_H

#include "changes.h"

/* The order of protocols everywhere: tcp, udp, echo. */
int changes_proto_order(uint8_t proto);

/* Orders directions by host pair (lower address first), then from: the collector's order. */
int changes_dir_cmp(const struct fw_addr *f1, const struct fw_addr *t1, const struct fw_addr *f2,
                    const struct fw_addr *t2);

/* Merges n (proto, port) of one protocol order, sorted, into ranges (out has room for n);
 * returns how many ranges. Only consecutive ports merge: a range never holds a port that is
 * not in the input. */
size_t changes_merge(const uint8_t *proto, const uint16_t *port, size_t n,
                     struct change_range *out);

enum verdict_conf changes_weaker(enum verdict_conf a, enum verdict_conf b);

/* changes_fold.c: the UNTESTED items folded into out->tests; FW_ENOMEM or 0. */
int changes_fold_tests(struct changes *out, const struct verdict_item *const *items, size_t n,
                       const struct changes_input *in);

/* The dynamic RPC ports found blocked (in any order) folded into out->rpc per direction and
 * range; FW_ENOMEM or 0. */
int changes_fold_rpc(struct changes *out, const struct verdict_item **its, size_t n,
                     const struct changes_input *in);

#endif
