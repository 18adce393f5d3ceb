/* analyze/diagnose/diag_test.h: what the diagnosis tests (diagnose/ *_test.c) share: frames
 * from the packet builder into a whole analyzer, the verdict item of one cell, and one check
 * of everything a diagnosis decides (kind, look-alike, cause, confidence, who answered,
 * blocking, a phrase of the advice). Included by one test program each: static inline, so
 * that no helper sits in the engine's glob of diagnose/ *.c. In the captures the far host's
 * packets arrive with TTL 63 (one router), the capture host's own leave with 64, and a router
 * next to the capture host sends with 64. */
#ifndef FW_DIAG_TEST_H
#define FW_DIAG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SEC 1000000ull
#define MS 1000ull
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"
#define TGT2 "203.0.113.21" /* another address of the target */
#define RTR "198.51.100.1"
#define SRC6 "2001:db8:1::10"
#define TGT6 "2001:db8:2::20"
#define RTR6 "2001:db8:1::1"
#define SRC6L "2001:db8:1234:5678:9abc:def0:1234:5678" /* the longest text form: the words */
#define TGT6L "2001:db8:8765:4321:fedc:ba98:7654:3210"

static struct pb b;
static struct analyzer *diag_a; /* the last run's, freed by the next run or diag_done() */

static inline void diag_feed_fn(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

/* The group teardown: the last run's analyzer (a failed check leaves its test early). */
static inline int diag_done(void **state)
{
    (void)state;
    analyzer_free(diag_a);
    diag_a = NULL;
    return 0;
}

/* The frames of b through a fresh analyzer, finished; local: --local, or NULL to infer it.
 * The analyzer lives until the next run (or diag_done()): tests do not free it. */
static inline struct analyzer *diag_run(const char *local)
{
    diag_done(NULL);
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    if (local != NULL)
        assert_true(fw_addr_parse(&cfg.verdict.local, local));
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    pb_feed(&b, diag_feed_fn, a);
    analyzer_finish(a);
    diag_a = a;
    return a;
}

static inline const struct verdict_item *diag_find(const struct analyzer *a, const char *from,
                                                   const char *to, uint8_t proto,
                                                   uint16_t port)
{
    const struct verdict_collector *vc = analyzer_verdicts(a);
    struct fw_addr f, t;
    assert_true(fw_addr_parse(&f, from));
    assert_true(fw_addr_parse(&t, to));
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (fw_addr_eq(&it->from, &f) && fw_addr_eq(&it->to, &t) && it->proto == proto &&
            it->port == port) {
            verdict_item_words(it);
            return it;
        }
    }
    fail_msg("no verdict for %s -> %s %u/%u", from, to, proto, port);
    return NULL;
}

/* What a diagnosis decided, all of it; by NULL: nobody answered. */
struct diag_want {
    enum verdict_kind kind;
    enum verdict_lookalike lookalike;
    const char *cause;
    enum verdict_conf conf;
    const char *by;
    bool blocking;
    const char *advice; /* a phrase of it */
};

static inline void diag_expect(const struct verdict_item *it, struct diag_want w)
{
    if (it->v.kind != w.kind || it->lookalike != w.lookalike ||
        strcmp(it->cause, w.cause) != 0 || it->confidence != w.conf)
        print_error("got %s, %s, cause %s, %s; advice: %s\n", verdict_name(it->v.kind),
                    it->lookalike != LOOKALIKE_NONE ? verdict_lookalike_name(it->lookalike)
                                                    : "no look-alike",
                    it->cause, verdict_conf_name(it->confidence), it->advice);
    assert_string_equal(verdict_name(it->v.kind), verdict_name(w.kind));
    assert_int_equal(it->lookalike, w.lookalike);
    assert_string_equal(it->cause, w.cause);
    assert_string_equal(verdict_conf_name(it->confidence), verdict_conf_name(w.conf));
    if (w.by == NULL) {
        assert_int_equal(it->v.answered_by.family, 0);
    } else {
        struct fw_addr x;
        assert_true(fw_addr_parse(&x, w.by));
        assert_true(fw_addr_eq(&it->v.answered_by, &x));
    }
    assert_int_equal(verdict_item_blocking(it), w.blocking);
    assert_non_null(it->advice);
    if (strstr(it->advice, w.advice) == NULL)
        fail_msg("advice lacks \"%s\": %s", w.advice, it->advice);
}

/* One of the item's evidence lines holds phrase. */
static inline void diag_evidence_has(const struct verdict_item *it, const char *phrase)
{
    for (int i = 0; i < it->nevidence; i++)
        if (strstr(it->evidence[i], phrase) != NULL)
            return;
    for (int i = 0; i < it->nevidence; i++) /* what it said instead */
        print_error("  %s\n", it->evidence[i]);
    fail_msg("no evidence line says \"%s\"", phrase);
}

/* No evidence line of it was cut at VERDICT_EVIDENCE_LEN (a cut one fills it to the last
 * byte): long IPv6 addresses must fit. */
static inline void diag_no_line_cut(const struct verdict_item *it)
{
    bool cut = false;
    for (int i = 0; i < it->nevidence; i++) {
        if (strlen(it->evidence[i]) >= VERDICT_EVIDENCE_LEN - 1) {
            print_error("cut: %s\n", it->evidence[i]);
            cut = true;
        }
    }
    assert_false(cut);
}

/* A handshake from client:cport to server's sport, the server's packets with TTL 63 (one router
 * from a capture on client). diag_control: one to 6325, the host's own TTL and traffic that
 * puts the capture point on client. */
static inline void diag_connect(const char *client, uint16_t cport, const char *server,
                                uint16_t sport)
{
    pb_tcp(&b, client, cport, server, sport, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, server, sport, client, cport, TH_SYN | TH_ACK);
    pb_tcp(&b, client, cport, server, sport, TH_ACK);
}
static inline void diag_control(const char *client, uint16_t cport, const char *server)
{
    diag_connect(client, cport, server, 6325);
}

/* The capture goes on long after everything before (no attempt is cut short by its end): a
 * control connection dt_us later. */
static inline void diag_tail(const char *client, uint16_t cport, const char *server,
                             uint64_t dt_us)
{
    pb_wait(&b, dt_us);
    diag_control(client, cport, server);
}

#endif
