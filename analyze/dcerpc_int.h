/* analyze/dcerpc_int.h: how the DCE/RPC files hand work to each other. dcerpc_stream.c puts
 * each direction's TCP payload back in order and cuts it into whole PDUs; dcerpc.c reads one
 * PDU and the endpoint mapper's answers in it. Not for use outside analyze/dcerpc*.c. */
#ifndef FW_DCERPC_INT_H
#define FW_DCERPC_INT_H

#include "common/cur.h"
#include "dcerpc.h"

#define DCERPC_HDR_LEN 16 /* C706 12.6.3.1: the common header */

/* One PDU at the start of s, whose whole frag_length is in s (checked by the caller, as is
 * the version); le: the drep says little-endian integers. */
enum dcerpc_result dcerpc_pdu_parse(struct dcerpc_conn *c, struct cur s, bool le,
                                    struct dcerpc_stats *st, dcerpc_endpoint_fn fn, void *ctx);

#endif
