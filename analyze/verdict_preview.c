/* analyze/verdict_preview.c: live, the verdicts of connections still open. A cell is judged
 * when its attempts end (verdict.c): for an answered UDP request that is a minute of quiet
 * later, for a replication connection that stays up, its end. Live, before each settle, the
 * flows still open on the profile's ports whose outcome is already known (an answer, a reset,
 * an ICMP error; silence is known only when its attempt ends) are judged as if they ended
 * now, in a small collector of their own, for the cells no ended attempt has judged yet.
 * Their items join the settled list (verdict_settle.c), marked provisional; the flow's end
 * replaces them with the real attempt. Offline the input's end ends every flow first, so
 * no preview is ever made and a file's verdicts do not depend on it. */
#include "verdict_int.h"

#include <string.h>

#define PREVIEW_MAX_CELLS 4096u /* open connections on the profile's ports judged at once */
#define PREVIEW_MAX_HOSTS 1024u

/* Outcomes an open flow already shows for good. */
static bool decided(enum verdict_outcome o)
{
    return o == VO_ANSWERED || o == VO_RST || o == VO_ICMP_PORT || o == VO_ICMP_PROHIB ||
           o == VO_ICMP_OTHER || o == VO_ICMP_UNREACH;
}

void verdict_preview_begin(struct verdict_collector *c)
{
    verdict_collector_free(c->preview);
    c->preview = NULL;
    c->preview_sig_new = 0;
}

/* FNV-1a over the bytes that make the preview's items: cells, their outcome counts. */
static uint64_t sig_mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

void verdict_preview_flow(struct verdict_collector *c, const struct flow *f)
{
    struct verdict_attempt a;
    if (!verdict_attempt_of(f, &a) || !decided(a.outcome) ||
        !verdict_port_in_profile(c, a.proto, a.port) ||
        verdict_cell_find(c, &a.from, &a.to, a.proto, a.port) != NULL)
        return;
    if (c->preview == NULL) {
        struct verdict_config cfg = c->cfg;
        cfg.max_cells = PREVIEW_MAX_CELLS;
        cfg.max_hosts = PREVIEW_MAX_HOSTS;
        cfg.keep_attempts = 0;
        cfg.hash_key[0] = c->key.k0; /* the same secret: nothing new to draw */
        cfg.hash_key[1] = c->key.k1 | 1u;
        c->preview = verdict_collector_new(&cfg);
        if (c->preview == NULL)
            return; /* no preview: the cell waits for its attempt's end, as without one */
        c->preview_sig_new = 0xcbf29ce484222325ull;
    }
    verdict_collector_observe(c->preview, f, false, 0);
    uint8_t k[2 * sizeof a.from + 4] = {0};
    memcpy(k, &a.from, sizeof a.from);
    memcpy(k + sizeof a.from, &a.to, sizeof a.to);
    k[2 * sizeof a.from] = a.proto;
    k[2 * sizeof a.from + 1] = (uint8_t)(a.port >> 8);
    k[2 * sizeof a.from + 2] = (uint8_t)a.port;
    k[2 * sizeof a.from + 3] = (uint8_t)a.outcome;
    c->preview_sig_new = sig_mix(c->preview_sig_new, k, sizeof k);
}

bool verdict_preview_end(struct verdict_collector *c)
{
    bool changed = c->preview_sig_new != c->preview_sig;
    c->preview_sig = c->preview_sig_new;
    c->changed |= changed;
    return changed;
}
