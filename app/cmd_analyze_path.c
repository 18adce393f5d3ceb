/* app/cmd_analyze_path.c: `fwsight analyze A B C ...`, three to eight captures of one test taken
 * at several points of the path: reads each once for the packets analyze/path_order.c keys,
 * orders them, hands the two end captures to the two-capture path (cmd_analyze_two.c: the
 * verdicts are theirs) and, once those are settled, places every blocked path's packets
 * along the captures for the report (ui/report_path.c). The captures are sorted by name
 * first, so that the order of the arguments changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "cmd_analyze_int.h"
#include "hash_key.h"
#include "ui/msg.h"

static int path_name_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Feeds every frame of file to capture i of the set. Returns 0, or -1 (message printed). */
static int path_read(struct path_set *set, size_t i, const char *file)
{
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(file, 0, err);
    if (cf == NULL) {
        msg_printf("fwsight: %s\n", err);
        return -1;
    }
    struct decode_opts dopts = {0};
    struct frame f;
    struct pkt p;
    int rc;
    while ((rc = cap_file_next(cf, &f, err)) == 1) {
        decode_frame(&f, &dopts, &p);
        if (path_set_feed(set, i, &p) != 0) {
            msg_printf("fwsight: out of memory\n");
            cap_file_close(cf);
            return -1;
        }
    }
    /* A capture cut short is said again, and counted, when its end is analysed; a middle
     * one is said here, and what came before it still places it. */
    if (rc < 0)
        msg_printf("fwsight: %s\n", err);
    cap_file_close(cf);
    return 0;
}

/* The end capture at the lowest hop (lowest) or the highest. Of captures on one link, one that
 * saw packets twice spans a router and is no host's: the other is the end; then the first by
 * name. */
static int path_end(const struct path_set *s, const struct path_order *o, bool lowest, int not)
{
    int best = -1;
    for (size_t i = 0; i < s->ncap; i++) {
        if (!o->placed[i] || (int)i == not)
            continue;
        if (best < 0 || (lowest ? o->hop[i] < o->hop[best] : o->hop[i] > o->hop[best]) ||
            (o->hop[i] == o->hop[best] && (s->cap[i].twice == 0) && s->cap[best].twice > 0))
            best = (int)i;
    }
    return best;
}

int analyze_path_prepare(struct analyze_opts *o, struct path_set *set, struct report_path *rp)
{
    memset(rp, 0, sizeof *rp);
    rp->ncap = o->nfiles;
    memcpy(rp->file, o->files, o->nfiles * sizeof o->files[0]);
    qsort(rp->file, rp->ncap, sizeof rp->file[0], path_name_cmp);
    struct siphash_key key;
    hash_key_random(&key);
    if (path_set_init(set, rp->ncap, &key) != 0)
        return -1;
    rp->set = set;
    for (size_t i = 0; i < rp->ncap; i++)
        if (path_read(set, i, rp->file[i]) != 0)
            return -1;
    path_set_seal(set);
    for (size_t i = 0; i < rp->ncap; i++)
        if (set->cap[i].not_kept > 0)
            msg_printf("fwsight: warning: %s: %llu packets beyond the first %u were not used "
                       "to place it on the path\n", rp->file[i],
                       (unsigned long long)set->cap[i].not_kept, PATH_MAX_PACKETS);
    rp->have_pair = path_set_main_pair(set, &rp->lo, &rp->hi);
    if (rp->have_pair)
        path_order_of(set, &rp->lo, &rp->hi, &rp->order);
    rp->end[0] = 0;
    rp->end[1] = 1;
    if (rp->order.nplaced >= 2) {
        rp->end[0] = path_end(set, &rp->order, true, -1);
        rp->end[1] = path_end(set, &rp->order, false, rp->end[0]);
    }
    o->file = rp->file[rp->end[0]];
    o->file2 = rp->file[rp->end[1]];
    return 0;
}

void analyze_path_segments(struct report_path *rp, const struct verdict_collector *vc)
{
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (!report_verdict_blocking(it))
            continue;
        if (rp->nseg == REPORT_PATH_MAX_SEGMENTS) {
            rp->seg_left_out++;
            continue;
        }
        rp->item[rp->nseg] = it;
        path_segment_of(rp->set, &it->from, &it->to, it->proto, it->port, &rp->seg[rp->nseg]);
        rp->nseg++;
    }
}
