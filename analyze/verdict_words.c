/* analyze/verdict_words.c: the settled items' words (verdict.h: verdict_item_words): their
 * evidence lines and advice, made when a reader asks, into a text arena reused from settle to
 * settle, and taken back at the next settle (verdict_unword). What the verdicts are is
 * verdict_settle.c's; what they say, diagnose/'s. */
#include "diagnose/diagnose.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_LEN 65536 /* ~150 items' evidence and advice; a longer string gets its own */

/* Strings are copied at their exact length into chunks that are never moved or freed until
 * the collector is, so the items' pointers stay valid until the next settle. A settle reuses
 * the chunks from the first: the arena is as large as the largest settle, not the sum. */
const char *verdict_arena_keep(struct verdict_arena *ar, const char *s, size_t len)
{
    if (ar->cur == NULL) {
        ar->cur = ar->head;
        if (ar->cur != NULL)
            ar->cur->used = 0;
    }
    while (ar->cur != NULL && ar->cur->cap - ar->cur->used <= len && ar->cur->next != NULL) {
        ar->cur = ar->cur->next;
        ar->cur->used = 0; /* text of an earlier settle, no longer pointed to */
    }
    if (ar->cur == NULL || ar->cur->cap - ar->cur->used <= len) {
        size_t cap = len >= ARENA_CHUNK_LEN ? len + 1 : ARENA_CHUNK_LEN;
        struct verdict_chunk *k = malloc(sizeof *k + cap);
        if (k == NULL) {
            ar->failed = true;
            return "";
        }
        k->next = NULL;
        k->used = 0;
        k->cap = cap;
        if (ar->cur == NULL)
            ar->head = k;
        else
            ar->cur->next = k;
        ar->cur = k;
    }
    char *d = ar->cur->text + ar->cur->used;
    memcpy(d, s, len);
    d[len] = '\0';
    ar->cur->used += len + 1;
    return d;
}

void verdict_arena_reset(struct verdict_arena *ar)
{
    ar->cur = NULL;
    ar->failed = false;
}

void verdict_arena_fini(struct verdict_arena *ar)
{
    while (ar->head != NULL) {
        struct verdict_chunk *k = ar->head;
        ar->head = k->next;
        free(k);
    }
    ar->cur = NULL;
}

/* --- words ---------------------------------------------------------------------------------- */

/* The evidence of a cell of the live preview (verdict_preview.c): its attempts and hosts are
 * the preview's, where the capture was taken is as settled here, and its words go into this
 * collector's text. */
void verdict_preview_evidence(const struct verdict_collector *c, const struct verdict_cell *x,
                             const struct verdict_item *it, struct evidence *e)
{
    evidence_of(c->preview, x, e);
    e->rpc_dynamic = it->rpc_dynamic;
    e->cp = &c->cp;
    e->at_from = verdict_capture_point_is(&c->cp, &x->from);
    e->at_to = verdict_capture_point_is(&c->cp, &x->to);
    e->text = (struct verdict_arena *)&c->text;
    e->capture_drops = c->capture_drops;
}

/* Whether x is still the cell it was judged from: no attempt since, the same key. Live,
 * settles are held back (at most 5 a second) while attempts keep coming: words made from a
 * cell that moved on would tell other counts than the item's, or another connection's. */
static bool cell_as_judged(const struct verdict_collector *c, uint32_t ix,
                           const struct verdict_item *it)
{
    const struct verdict_cell *x = &c->cells[ix];
    return !c->judge[ix].stale && x->proto == it->proto && x->port == it->port &&
           fw_addr_eq(&x->from, &it->from) && fw_addr_eq(&x->to, &it->to);
}

/* Puts it in words from e. The words judge the cell again as they go: the decision made at
 * the settle is kept as it was, only the words are taken. */
static void word(struct verdict_item *it, const struct evidence *e)
{
    struct verdict_item keep = *it;
    diagnose_cell(it, e, true);
    keep.nevidence = it->nevidence;
    memcpy(keep.evidence, it->evidence, sizeof keep.evidence);
    keep.advice = it->advice;
    keep.worded = true;
    *it = keep;
}

/* Item ix of c was put in words into this settle's text: the next settle takes them back. */
static void note_worded(struct verdict_collector *c, uint32_t ix)
{
    if (!c->worded_lost && verdict_grow((void **)&c->worded, &c->worded_cap, c->nworded,
                                        UINT32_MAX / 2, sizeof *c->worded))
        c->worded[c->nworded++] = ix;
    else
        c->worded_lost = true;
}

void verdict_item_words(const struct verdict_item *cit)
{
    if (cit == NULL || cit->worded || cit->owner == NULL || cit->cell_ix == 0)
        return; /* a copy of an item is worded only if its original was */
    /* The collector owns its items: the words are filled in place, once. A cell changed
     * since the settle leaves its item without words until the next one. */
    struct verdict_collector *c = cit->owner, *p = c->preview;
    struct evidence e;
    if (!cit->provisional && cit >= c->cell_items && cit < c->cell_items + c->ncell_items) {
        uint32_t ix = (uint32_t)(cit - c->cell_items);
        struct verdict_item *it = &c->cell_items[ix];
        if (ix >= c->ncells || !cell_as_judged(c, ix, it))
            return;
        evidence_of(c, &c->cells[ix], &e);
        e.rpc_dynamic = it->rpc_dynamic;
        word(it, &e);
        note_worded(c, ix);
    } else if (cit->provisional && p != NULL && cit >= p->cell_items &&
               cit < p->cell_items + p->ncell_items) {
        uint32_t ix = (uint32_t)(cit - p->cell_items);
        struct verdict_item *it = &p->cell_items[ix];
        if (ix >= p->ncells || !cell_as_judged(p, ix, it))
            return;
        verdict_preview_evidence(c, &p->cells[ix], it, &e);
        word(it, &e);
        verdict_add_evidence(&c->text, it, "still open: the verdict is what the connection "
                             "showed so far, and is settled when it ends");
        note_worded(p, ix); /* its words are in c's text: c's settle takes them back */
    }
}

/* The items put in words since the last settle lose them: the text is reused. */
void verdict_unword(struct verdict_collector *c)
{
    if (c->worded_lost) {
        c->nworded = 0;
        for (uint32_t i = 0; i < c->ncell_items; i++) {
            struct verdict_item *it = &c->cell_items[i];
            it->worded = false;
            it->nevidence = 0;
            it->advice = "";
        }
        c->worded_lost = false;
        return;
    }
    for (uint32_t i = 0; i < c->nworded; i++) {
        struct verdict_item *it = &c->cell_items[c->worded[i]];
        it->worded = false;
        it->nevidence = 0;
        it->advice = "";
    }
    c->nworded = 0;
}
