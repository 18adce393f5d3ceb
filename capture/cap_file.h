/* capture/cap_file.h: frames from a saved capture: pcap (micro- or nanosecond), pcapng,
 * either one gzip-compressed (recognised by its magic bytes, not its name), from a path or
 * from stdin ("-"). Its own reader, not libpcap's: it must read .gz and stdin alike, say
 * which record was wrong, and keep up with the analysis. It leaves decoding to analyze/. */
#ifndef FW_CAP_FILE_H
#define FW_CAP_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

struct cap_file;

struct cap_file_info {
    const char *format;      /* "pcap", "pcap-nsec" or "pcapng" */
    bool gzip;               /* the file was gzip-compressed */
    int linktype;            /* of the first interface (pcapng) or the file (pcap); -1 if none yet */
    uint32_t snaplen;        /* of the file or first interface; 0 if none yet */
    uint64_t frames;         /* frames delivered so far */
    uint64_t bad_records;    /* records skipped: zero caplen, caplen above wirelen or snaplen */
    uint64_t bytes_read;     /* file bytes consumed (compressed size not known) */
    uint64_t interfaces;     /* pcapng: interfaces described, all sections (pcap: 0) */
    uint64_t duplicates;     /* pcapng: copies of a packet already delivered, skipped (pktmon
                                logs one at each component it passes; see cap_dedup.h) */
    /* pcapng: what the capturing tool counted as lost, from its Interface Statistics Blocks
     * (the last one of each interface: their counters run from the capture's start). */
    bool has_drops;          /* an ISB gave isb_ifdrop or isb_osdrop */
    uint64_t if_drops;       /* isb_ifdrop: lost by the interface (dumpcap: the kernel's count) */
    uint64_t os_drops;       /* isb_osdrop: lost by the operating system */
};

/* Opens path ("-" for stdin) and reads its header. NULL with err filled on failure:
 * "FILE: not a pcap, pcapng or gzip file (starts with ...)", "FILE: No such file...". */
struct cap_file *cap_file_open(const char *path, int vantage, char err[FW_ERRLEN]);

/* Reads the next frame into *out; out->bytes stays valid until the next call.
 * Returns 1 (a frame), 0 (clean end of file), or a negative FW_E* code with err naming the
 * file, the record number and what was wrong (e.g. "x.pcap: packet 1234: file ends after 10
 * of 60 bytes of the record"). Frames before an error were delivered and remain valid input.
 * Records that cannot be trusted but do not break the file's framing are skipped and
 * counted in bad_records (a warning text is kept, see cap_file_warning). In pcapng, a copy of
 * a packet already delivered (the same packet recorded at several interfaces, or at several
 * pktmon components) is skipped and counted in duplicates; frame numbers count it, as
 * Wireshark's do. */
int cap_file_next(struct cap_file *cf, struct frame *out, char err[FW_ERRLEN]);

/* The first bad-record warning, "" if none: "x.pcap: packet 7: captured length 0". */
const char *cap_file_warning(const struct cap_file *cf);

const struct cap_file_info *cap_file_info(const struct cap_file *cf);
const char *cap_file_path(const struct cap_file *cf);

void cap_file_close(struct cap_file *cf);

#endif
