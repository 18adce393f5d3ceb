/* analyze/verdict_preview.c: live, the verdicts of connections still open. A cell is judged
 * when its attempts end (verdict.c): for an answered UDP request that is a minute of quiet
 * later, for a replication connection that stays up, its end. Live, before each settle, the
 * flows still open on the profile's ports whose outcome is already known (an answer, a reset,
 * an ICMP error; silence is known only when its attempt ends) are judged as if they ended
 * now, in a small collector of their own, for the cells no ended attempt has judged yet. A
 * look follows a flow's first answer and takes only the flows answered since the last one
 * (flow_table_look), and those it could not decide then: the preview is kept from look to
 * look, and emptied and made again from every open flow only once it holds more ended flows
 * than open ones.
 * Their items join the settled list (verdict_settle.c), marked provisional; the flow's end
 * replaces them with the real attempt. Offline the input's end ends every flow first, so
 * no preview is ever made and a file's verdicts do not depend on it. */
#include "verdict_int.h"

#include "flow.h"

#define PREVIEW_MAX_CELLS 4096u /* open connections on the profile's ports judged at once */
#define PREVIEW_MAX_HOSTS 1024u

/* Outcomes an open flow already shows for good. */
static bool decided(enum verdict_outcome o)
{
    return o == VO_ANSWERED || o == VO_RST || o == VO_ICMP_PORT || o == VO_ICMP_PROHIB ||
           o == VO_ICMP_OTHER || o == VO_ICMP_UNREACH;
}

/* The preview is emptied (not freed: the next look fills the same tables) when half its cells,
 * and at least PREVIEW_REBUILD of them, are of flows that have ended since (a cell judges them
 * now: settle counts them); when it is full and PREVIEW_REBUILD of its cells have ended since
 * (room for the open flows it had none for); or when this collector had no room for an ended
 * attempt (its flow may have been in the preview, where no cell would ever replace it).
 * A full preview is not made again at every look: made from the same open flows, it filled
 * up the same way, and each look judged its every cell again and the stream looked up every
 * one (with more open connections on the profile's ports than it holds, at 100,000 packets/s
 * of the benchmark's mix, a tenth of fwsight's CPU). */
#define PREVIEW_REBUILD 256u

static void preview_empty(struct verdict_collector *c)
{
    if (c->preview == NULL || (c->preview->ncells == 0 && c->preview->nhosts == 0))
        return;
    /* The list the last settle made lists its items: made now if no reader has asked yet,
     * else it would be made without them (their UNTESTED ports left out until the next). */
    (void)verdict_count(c);
    verdict_collector_clear(c->preview);
    c->preview_dead = 0;
    c->untested_mod++; /* its cells covered UNTESTED ports */
    c->changed = true; /* its items go, or are made again */
}

bool verdict_preview_begin(struct verdict_collector *c)
{
    const struct verdict_collector *p = c->preview;
    if (p == NULL)
        return false;
    bool dead = c->preview_dead >= PREVIEW_REBUILD &&
                (p->cells_overflow > 0 || 2 * c->preview_dead >= p->ncells);
    if (!dead && c->cells_overflow == c->preview_overflow)
        return false;
    c->preview_overflow = c->cells_overflow;
    preview_empty(c);
    return true;
}

void verdict_preview_drop(struct verdict_collector *c)
{
    preview_empty(c);
}

bool verdict_preview_flow(struct verdict_collector *c, struct flow *f, bool again)
{
    if (f->previewed && !again)
        return false; /* judged at an earlier look */
    f->previewed = false;
    if (f->side[1].pkts == 0 && f->icmp_errors == 0)
        return false; /* nothing answered it yet (most open flows of a flood): its answer
                       * has it looked at */
    struct verdict_attempt a;
    /* No attempt: a connection picked up mid-stream never becomes one (a datagram flow whose
     * answer came before its request may). */
    if (!verdict_attempt_of(f, &a))
        return f->kind != FLOW_TCP;
    if (!decided(a.outcome)) /* asked again at the next look, if it is one to take */
        return verdict_port_in_profile(c, a.proto, a.port);
    f->previewed = true;
    if (!verdict_port_in_profile(c, a.proto, a.port) ||
        verdict_cell_find(c, &a.from, &a.to, a.proto, a.port) != NULL)
        return false;
    if (c->preview == NULL) {
        struct verdict_config cfg = c->cfg;
        cfg.max_cells = PREVIEW_MAX_CELLS;
        cfg.max_hosts = PREVIEW_MAX_HOSTS;
        cfg.keep_attempts = 0;
        cfg.hash_key[0] = c->key.k0; /* the same secret: nothing new to draw */
        cfg.hash_key[1] = c->key.k1;
        c->preview = verdict_collector_new(&cfg);
        if (c->preview == NULL)
            return false; /* no preview: the cell waits for its attempt's end, as without one */
    }
    c->changed = true;
    verdict_collector_observe(c->preview, f, false, 0);
    return false;
}
