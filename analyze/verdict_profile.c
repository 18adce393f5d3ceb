/* analyze/verdict_profile.c: the profile's ports (profile.h) as the verdict engine's list of
 * ports under test (verdict.h). It only reads the profile's fields, in entry order, so the
 * first entry that names a port gives its service (TCP 135: the RPC endpoint mapper). Parsing
 * and looking up profiles is left to profile.c. */
#include "profile.h"
#include "verdict.h"

size_t verdict_ports_from_profile(const struct profile *p, struct verdict_port *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; p != NULL && i < p->n_entries; i++) {
        const struct profile_entry *e = &p->entries[i];
        if (e->protos & PROFILE_ICMP_ECHO) {
            if (n < max)
                out[n] = (struct verdict_port){ VERDICT_PROTO_ECHO, 0, 0, e->service, false };
            n++;
        }
        for (size_t r = 0; r < e->n_ranges; r++) {
            static const struct { unsigned bit; uint8_t proto; } P[] = {
                { PROFILE_TCP, 6 }, { PROFILE_UDP, 17 } };
            for (size_t k = 0; k < 2; k++) {
                if (!(e->protos & P[k].bit))
                    continue;
                if (n < max)
                    out[n] = (struct verdict_port){ P[k].proto, e->ranges[r].lo,
                                                    e->ranges[r].hi, e->service,
                                                    e->rpc == PROFILE_RPC_DYNAMIC };
                n++;
            }
        }
    }
    return n;
}
