/* capture/cap_file.c: frames from a saved capture, pcap (micro- or nanosecond, either byte
 * order) or pcapng, parsed in place from cap_input's buffer, which also hides gzip and stdin.
 * Records are checked before their bytes are handed over: a record that lies about its
 * lengths but keeps the framing is skipped and counted, one that breaks the framing stops the
 * file with an error naming the record. Decoding what is inside the frames is analyze/'s job.
 * pcap per draft-ietf-opsawg-pcap here; pcapng is parsed in cap_pcapng.c. */
#include "cap_file_impl.h"
#include "cap_foreign.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_HDR_LEN 24u
#define PCAP_REC_LEN 16u

int cap_file_fail(const struct cap_file *cf, char err[FW_ERRLEN], int code, const char *fmt, ...)
{
    int n = snprintf(err, FW_ERRLEN, "%s: ", cf->name);
    if (n < 0 || n >= (int)FW_ERRLEN)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, FW_ERRLEN - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

/* Where the reader is, in the words of Wireshark's frame numbers when it is at a packet.
 * Between two pcap records nothing of the next one exists yet: naming it would make a
 * damaged gzip trailer look like a packet the file never had. */
const char *cap_file_where(const struct cap_file *cf, char buf[96])
{
    if (cf->at_packet || (!cf->pcapng && cap_input_avail(&cf->in) > 0))
        snprintf(buf, 96, "packet %" PRIu64, cf->number + 1);
    else if (!cf->pcapng)
        snprintf(buf, 96, "after packet %" PRIu64, cf->number);
    else
        snprintf(buf, 96, "block at byte %" PRIu64 " (after packet %" PRIu64 ")",
                 cf->in.consumed, cf->number);
    return buf;
}

/* Makes n bytes of the current record available: 0, 1 for a clean end of file (nothing at all
 * left where a record would start), or an error naming the record. */
int cap_file_need(struct cap_file *cf, size_t n, const char *what, char err[FW_ERRLEN])
{
    char detail[FW_ERRLEN], where[96];
    int rc = cap_input_need(&cf->in, n, detail);
    if (rc == 0)
        return 0;
    if (rc < 0)
        return cap_file_fail(cf, err, rc, "%s: %s", cap_file_where(cf, where), detail);
    size_t got = cap_input_avail(&cf->in);
    if (got == 0 && !cf->in.gz_truncated)
        return 1;
    if (got == 0)
        return cap_file_fail(cf, err, FW_ETRUNC,
                             "the gzip stream ends early, after packet %" PRIu64,
                             cf->number);
    return cap_file_fail(cf, err, FW_ETRUNC, "%s: file ends after %zu of %zu bytes of the %s%s",
                         cap_file_where(cf, where), got, n, what,
                         cf->in.gz_truncated ? " (the gzip stream is truncated)" : "");
}

/* A record that lies about its lengths without breaking the framing: skipped, counted, and
 * the first one remembered so the report can say why the counts differ from Wireshark's. */
bool cap_file_is_bad(struct cap_file *cf, uint32_t caplen, uint32_t wirelen, uint32_t snaplen)
{
    char why[128];
    if (caplen == 0)
        snprintf(why, sizeof why, "captured length 0");
    else if (caplen > wirelen)
        snprintf(why, sizeof why, "captured length %" PRIu32 " above the length on the wire %"
                 PRIu32, caplen, wirelen);
    else if (snaplen != 0 && caplen > snaplen)
        snprintf(why, sizeof why, "captured length %" PRIu32 " above the snapshot length %"
                 PRIu32, caplen, snaplen);
    else
        return false;
    if (cf->info.bad_records++ == 0)
        snprintf(cf->warning, sizeof cf->warning, "%s: packet %" PRIu64 ": %s (skipped)",
                 cf->name, cf->number, why);
    return true;
}

void cap_file_deliver(struct cap_file *cf, struct frame *out, const uint8_t *bytes,
                      uint32_t caplen, uint32_t wirelen, uint64_t ts_us, int linktype)
{
    out->bytes = bytes;
    out->caplen = caplen;
    out->wirelen = wirelen;
    out->ts_us = ts_us;
    out->number = cf->number;
    out->linktype = linktype;
    out->vantage = cf->vantage;
    cf->info.frames++;
}

static int pcap_next_record(struct cap_file *cf, struct frame *out, char err[FW_ERRLEN])
{
    struct cap_input *in = &cf->in;
    for (;;) {
        int rc;
        if (cap_input_avail(in) < PCAP_REC_LEN) {
            rc = cap_file_need(cf, PCAP_REC_LEN, "record header", err);
            if (rc != 0)
                return rc > 0 ? 0 : rc;
        }
        const uint8_t *p = cap_input_ptr(in);
        uint32_t caplen = rd32(cf, p + 8);
        if ((caplen > CAP_FILE_MAX_PACKET && caplen > cf->snaplen) ||
            caplen > CAP_INPUT_MAX_SPAN - PCAP_REC_LEN)
            return cap_file_fail(cf, err, FW_EFORMAT,
                                 "packet %" PRIu64 ": captured length %" PRIu32 " is beyond any "
                                 "sane limit (snapshot length %" PRIu32 "): the file's framing "
                                 "is lost", cf->number + 1, caplen, cf->snaplen);
        size_t rec_len = PCAP_REC_LEN + (size_t)caplen;
        if (cap_input_avail(in) < rec_len) {
            rc = cap_file_need(cf, rec_len, "record", err);
            if (rc != 0)
                return rc > 0 ? FW_ETRUNC : rc;
            p = cap_input_ptr(in);
        }
        cf->number++;
        uint32_t wirelen = rd32(cf, p + 12);
        if (cap_file_is_bad(cf, caplen, wirelen, cf->snaplen)) {
            cap_input_consume(in, rec_len);
            continue;
        }
        uint32_t frac = rd32(cf, p + 4);
        uint64_t ts_us = (uint64_t)rd32(cf, p) * 1000000u + (cf->nsec ? frac / 1000u : frac);
        cap_file_deliver(cf, out, p + PCAP_REC_LEN, caplen, wirelen, ts_us, cf->linktype);
        cap_input_consume(in, rec_len);
        return 1;
    }
}

static int pcap_open(struct cap_file *cf, uint32_t magic_le, char err[FW_ERRLEN])
{
    cf->big = magic_le == 0xd4c3b2a1u || magic_le == 0x4d3cb2a1u;
    cf->nsec = magic_le == 0xa1b23c4du || magic_le == 0x4d3cb2a1u;
    cf->info.format = cf->nsec ? "pcap-nsec" : "pcap";
    char detail[FW_ERRLEN];
    int rc = cap_input_need(&cf->in, PCAP_HDR_LEN, detail);
    if (rc < 0)
        return cap_file_fail(cf, err, rc, "%s", detail);
    if (rc > 0)
        return cap_file_fail(cf, err, FW_ETRUNC, "file ends after %zu of %u bytes of the pcap "
                             "file header%s", cap_input_avail(&cf->in), PCAP_HDR_LEN,
                             cf->in.gz_truncated ? " (the gzip stream is truncated)" : "");
    const uint8_t *p = cap_input_ptr(&cf->in);
    uint16_t major = rd16(cf, p + 4), minor = rd16(cf, p + 6);
    if (major != 2)
        return cap_file_fail(cf, err, FW_EUNSUPPORTED, "pcap version %u.%u is not supported", major,
                             minor);
    cf->snaplen = rd32(cf, p + 16);
    /* The upper bits may carry the FCS length (pcap draft, LinkType and additional info). */
    cf->linktype = (int)(rd32(cf, p + 20) & 0xffffu);
    cf->info.linktype = cf->linktype;
    cf->info.snaplen = cf->snaplen;
    cap_input_consume(&cf->in, PCAP_HDR_LEN);
    return 0;
}

struct cap_file *cap_file_open(const char *path, int vantage, char err[FW_ERRLEN])
{
    char detail[FW_ERRLEN];
    struct cap_file *cf = calloc(1, sizeof *cf);
    if (!cf || !(cf->path = strdup(path))) {
        snprintf(err, FW_ERRLEN, "%s: out of memory", path);
        free(cf);
        return NULL;
    }
    cf->name = strcmp(path, "-") == 0 ? "stdin" : cf->path;
    cf->vantage = vantage;
    cf->info.linktype = -1;
    cf->in.fd = -1;
    int rc = cap_input_open(&cf->in, path, detail);
    if (rc < 0) {
        cap_file_fail(cf, err, rc, "%s", detail);
        goto fail;
    }
    cf->info.gzip = cf->in.gz != NULL;
    rc = cap_input_need(&cf->in, 4, detail);
    size_t got = cap_input_avail(&cf->in);
    const uint8_t *p = cap_input_ptr(&cf->in);
    if (rc < 0) {
        cap_file_fail(cf, err, rc, "%s", detail);
        goto fail;
    } else if (rc > 0 && cf->in.gz_truncated) {
        cap_file_fail(cf, err, FW_ETRUNC, "the gzip stream ends early, after %zu bytes", got);
        goto fail;
    } else if (rc > 0 && got == 0) {
        cap_file_fail(cf, err, FW_EFORMAT, "empty file (0 bytes%s)",
                      cf->info.gzip ? " after decompression" : "");
        goto fail;
    } else if (rc > 0) {
        cap_file_fail(cf, err, FW_EFORMAT, "not a pcap, pcapng or gzip file (only %zu bytes)", got);
        goto fail;
    }
    uint32_t magic_le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    if (magic_le == 0x0A0D0D0Au) {
        cf->pcapng = true;
        rc = cap_pcapng_open(cf, err);
    } else if (magic_le == 0xa1b2c3d4u || magic_le == 0xd4c3b2a1u ||
               magic_le == 0xa1b23c4du || magic_le == 0x4d3cb2a1u) {
        rc = pcap_open(cf, magic_le, err);
    } else if (cap_input_need(&cf->in, CAP_FOREIGN_PEEK, detail) >= 0 &&
               cap_foreign_explain(path, cap_input_ptr(&cf->in), cap_input_avail(&cf->in),
                                   detail, sizeof detail)) {
        rc = cap_file_fail(cf, err, FW_EUNSUPPORTED, "%s", detail);
    } else {
        p = cap_input_ptr(&cf->in); /* the look-ahead may have moved the buffer */
        rc = cap_file_fail(cf, err, FW_EFORMAT, "%s (starts with %02x %02x %02x %02x)",
                           cf->info.gzip ? "gzip-compressed, but not a pcap or pcapng file inside"
                           : "not a pcap, pcapng or gzip file", p[0], p[1], p[2], p[3]);
    }
    if (rc < 0)
        goto fail;
    cf->info.bytes_read = cf->in.consumed;
    return cf;

fail:
    cap_file_close(cf);
    return NULL;
}

int cap_file_next(struct cap_file *cf, struct frame *out, char err[FW_ERRLEN])
{
    int rc = cf->pcapng ? cap_pcapng_next(cf, out, err) : pcap_next_record(cf, out, err);
    cf->info.bytes_read = cf->in.consumed;
    return rc;
}

const char *cap_file_warning(const struct cap_file *cf)
{
    return cf->warning;
}

const struct cap_file_info *cap_file_info(const struct cap_file *cf)
{
    return &cf->info;
}

const char *cap_file_path(const struct cap_file *cf)
{
    return cf->path;
}

void cap_file_close(struct cap_file *cf)
{
    if (!cf)
        return;
    cap_input_close(&cf->in);
    free(cf->ifaces);
    free(cf->path);
    free(cf);
}
