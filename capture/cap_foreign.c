/* capture/cap_foreign.c: the Windows formats fwsight does not read, told by their first bytes
 * (see cap_foreign.h). Support engineers receive captures from Windows servers: pktmon writes
 * an ETL file until it is converted with `pktmon etl2pcap`, and older tools a Network Monitor
 * .cap; both are common enough that "not a pcap file" alone would leave them stuck. */
#include "cap_foreign.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* An ETL file is a sequence of trace buffers. The first starts with a 0x48-byte
 * WMI_BUFFER_HEADER (its size in the first four bytes), then the logger's own header event:
 * a SYSTEM_TRACE_HEADER (header type 1 or 2, the 32- or 64-bit system header, flags with the
 * trace-header bits 0xc0, hook id 0: "log file header"), whose 0x20 bytes are followed by a
 * TRACE_LOGFILE_HEADER that repeats the buffer size. */
static bool is_etl(const uint8_t *p, size_t n)
{
    if (n < 0x6c)
        return false;
    uint32_t bufsize = le32(p);
    uint8_t type = p[0x4a], flags = p[0x4b];
    uint16_t hook = (uint16_t)(p[0x4f] << 8 | p[0x4e]);
    return bufsize >= 0x400 && (type == 1 || type == 2) && (flags & 0xc0) == 0xc0 &&
           hook == 0 && le32(p + 0x68) == bufsize;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* The names to put in the suggested commands: the file as given (stdin: FILE.ext), and the
 * converted file's, the same without its extension and with .pcapng. */
static void names(const char *path, const char *ext, char *in, char *out, size_t len)
{
    if (strcmp(path, "-") == 0) {
        snprintf(in, len, "FILE%s", ext);
        snprintf(out, len, "FILE.pcapng");
        return;
    }
    size_t n = strlen(path);
    if (ends_with(path, ext))
        n -= strlen(ext);
    snprintf(in, len, "%.200s", path);
    snprintf(out, len, "%.*s.pcapng", (int)(n < 200 ? n : 200), path);
}

bool cap_foreign_explain(const char *path, const uint8_t *p, size_t n, char *msg, size_t len)
{
    char in[208], out[208];
    if (n >= 6 && (memcmp(p, "GMBU", 4) == 0 || memcmp(p, "RTSS", 4) == 0)) {
        names(path, ".cap", in, out, sizeof in);
        snprintf(msg, len, "a Microsoft Network Monitor capture (version %u.%u), which fwsight "
                 "does not read: convert it to pcapng with Wireshark's 'tshark -r %s -w %s' (or "
                 "'editcap %s %s', or open it in Wireshark and save it as pcapng)", p[5], p[4],
                 in, out, in, out);
        return true;
    }
    if (is_etl(p, n) || ends_with(path, ".etl")) {
        names(path, ".etl", in, out, sizeof in);
        snprintf(msg, len, "a Windows event trace (ETL, as pktmon writes it), not a packet "
                 "capture: convert it on Windows with 'pktmon etl2pcap %s --out %s' (a 'netsh "
                 "trace' file: 'etl2pcapng %s %s') and analyse the .pcapng", in, out, in, out);
        return true;
    }
    return false;
}
