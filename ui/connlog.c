/* ui/connlog.c: Zeek's conn.log, TSV and JSON lines. The layout follows Zeek's ASCII writer
 * and scripts/base/protocols/conn/main.zeek: duration, orig_bytes and resp_bytes are set only
 * when the duration is above zero, history only when not empty; service, local_orig,
 * local_resp and tunnel_parents are never known here (no protocol detection, no local_nets,
 * no tunnels tracked) and stay unset ("-" in TSV, absent in JSON, as Zeek writes them).
 * The records themselves, state and history, come from analyze/. */
#include "connlog.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include "analyze/addr.h"
#include "capture/frame.h"
#include "json.h"

void connlog_init(struct connlog *l, FILE *out, enum connlog_format format)
{
    l->out = out;
    l->format = format;
    l->header_written = false;
    l->records = 0;
    l->error = 0;
    l->error_told = false;
}

/* stdio writes in blocks: the block whose write fails sets the stream's error indicator, and
 * errno still says why when we look right after the call that wrote it. */
static int connlog_check(struct connlog *l)
{
    if (l->error == 0 && ferror(l->out))
        l->error = errno != 0 ? errno : EIO;
    return l->error != 0 ? FW_EIO : 0;
}

const char *connlog_format_time(uint64_t us, char *buf, size_t len)
{
    snprintf(buf, len, "%" PRIu64 ".%06u", us / 1000000u, (unsigned)(us % 1000000u));
    return buf;
}

/* Zeek's #open/#close form, 2016-07-13-17-58-31, here in UTC. */
static void connlog_stamp(uint64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000u);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d-%H-%M-%S", &tm) == 0)
        snprintf(buf, len, "1970-01-01-00-00-00");
}

static void connlog_header(struct connlog *l, uint64_t open_ts_us)
{
    char stamp[32];
    l->header_written = true;
    if (l->format != CONNLOG_TSV)
        return;
    connlog_stamp(open_ts_us, stamp, sizeof stamp);
    fprintf(l->out,
            "#separator \\x09\n"
            "#set_separator\t,\n"
            "#empty_field\t(empty)\n"
            "#unset_field\t-\n"
            "#path\tconn\n"
            "#open\t%s\n"
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice"
            "\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp"
            "\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes"
            "\ttunnel_parents\n"
            "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount"
            "\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n",
            stamp);
}

static void connlog_write_tsv(struct connlog *l, const struct conn_record *r)
{
    char ts[32], dur[32], uid[32], orig[FW_ADDRSTRLEN], resp[FW_ADDRSTRLEN];
    FILE *out = l->out;
    connlog_format_time(r->ts_us, ts, sizeof ts);
    conn_uid(r, uid, sizeof uid);
    fw_addr_format(&r->orig_h, orig, sizeof orig);
    fw_addr_format(&r->resp_h, resp, sizeof resp);
    fprintf(out, "%s\t%s\t%s\t%u\t%s\t%u\t%s\t-\t", ts, uid, orig, (unsigned)r->orig_p, resp,
            (unsigned)r->resp_p, conn_proto_name(r->ip_proto));
    if (r->duration_us > 0)
        fprintf(out, "%s\t%" PRIu64 "\t%" PRIu64 "\t",
                connlog_format_time(r->duration_us, dur, sizeof dur), r->orig_bytes,
                r->resp_bytes);
    else
        fputs("-\t-\t-\t", out);
    fprintf(out, "%s\t-\t-\t%" PRIu64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
                 "\t-\n",
            conn_state_name(r->state), r->missed_bytes, r->history[0] != '\0' ? r->history : "-",
            r->orig_pkts, r->orig_ip_bytes, r->resp_pkts, r->resp_ip_bytes);
}

static void connlog_write_json(struct connlog *l, const struct conn_record *r)
{
    char uid[32], orig[FW_ADDRSTRLEN], resp[FW_ADDRSTRLEN];
    struct json j;
    json_init(&j, l->out, false);
    json_begin_object(&j, NULL);
    json_seconds(&j, "ts", r->ts_us);
    json_string(&j, "uid", conn_uid(r, uid, sizeof uid));
    json_string(&j, "id.orig_h", fw_addr_format(&r->orig_h, orig, sizeof orig));
    json_u64(&j, "id.orig_p", r->orig_p);
    json_string(&j, "id.resp_h", fw_addr_format(&r->resp_h, resp, sizeof resp));
    json_u64(&j, "id.resp_p", r->resp_p);
    json_string(&j, "proto", conn_proto_name(r->ip_proto));
    if (r->duration_us > 0) {
        json_seconds(&j, "duration", r->duration_us);
        json_u64(&j, "orig_bytes", r->orig_bytes);
        json_u64(&j, "resp_bytes", r->resp_bytes);
    }
    json_string(&j, "conn_state", conn_state_name(r->state));
    json_u64(&j, "missed_bytes", r->missed_bytes);
    if (r->history[0] != '\0')
        json_string(&j, "history", r->history);
    json_u64(&j, "orig_pkts", r->orig_pkts);
    json_u64(&j, "orig_ip_bytes", r->orig_ip_bytes);
    json_u64(&j, "resp_pkts", r->resp_pkts);
    json_u64(&j, "resp_ip_bytes", r->resp_ip_bytes);
    json_end_object(&j);
    fputc('\n', l->out);
}

int connlog_write(struct connlog *l, const struct conn_record *r, uint64_t open_ts_us)
{
    if (l->error != 0)
        return FW_EIO;
    errno = 0;
    if (!l->header_written)
        connlog_header(l, open_ts_us);
    if (l->format == CONNLOG_TSV)
        connlog_write_tsv(l, r);
    else
        connlog_write_json(l, r);
    l->records++;
    return connlog_check(l);
}

int connlog_fini(struct connlog *l, uint64_t open_ts_us, uint64_t close_ts_us)
{
    char stamp[32];
    if (l->error != 0)
        return FW_EIO;
    errno = 0;
    if (!l->header_written)
        connlog_header(l, open_ts_us);
    if (l->format == CONNLOG_TSV) {
        connlog_stamp(close_ts_us, stamp, sizeof stamp);
        fprintf(l->out, "#close\t%s\n", stamp);
    }
    if (fflush(l->out) != 0 || ferror(l->out)) {
        l->error = errno != 0 ? errno : EIO;
        return FW_EIO;
    }
    return 0;
}
