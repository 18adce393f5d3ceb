/* common/linktype.h: the link types frames arrive with, one list for the readers that set them
 * (capture/) and the decoder that reads them (analyze/decode.c). A new link type is one row
 * here and one case in the decoder. */
#ifndef FW_LINKTYPE_H
#define FW_LINKTYPE_H

/* Link types as stored in pcap and pcapng files (LINKTYPE_*, www.tcpdump.org/linktypes.html).
 * Live sources convert libpcap's DLT_* values to these before handing frames over. */
enum {
    FW_LINKTYPE_NULL = 0,        /* BSD loopback: 4-byte address family, host byte order */
    FW_LINKTYPE_ETHERNET = 1,
    FW_LINKTYPE_PPP = 9,
    FW_LINKTYPE_RAW = 101,       /* raw IPv4 or IPv6, version nibble decides */
    FW_LINKTYPE_LOOP = 108,      /* OpenBSD loopback: address family in network byte order */
    FW_LINKTYPE_LINUX_SLL = 113,
    FW_LINKTYPE_IEEE802_11 = 105,
    FW_LINKTYPE_IEEE802_11_RADIOTAP = 127,
    FW_LINKTYPE_IPV4 = 228,
    FW_LINKTYPE_IPV6 = 229,
    FW_LINKTYPE_LINUX_SLL2 = 276,
};

#endif
