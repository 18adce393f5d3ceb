/* app/hash_key.h: the SipHash keys of the application's tables (flows, verdict cells, the live
 * stream's cells), drawn once per table or per run so that no capture can be crafted to pile
 * its entries into one hash chain. analyze/ and ui/ take the keys they are given: they read
 * no entropy and no clock, and a test passes a fixed key. */
#ifndef FW_HASH_KEY_H
#define FW_HASH_KEY_H

#include <stdbool.h>

#include "analyze/analyzer.h"
#include "analyze/siphash.h"

/* A key nobody can guess, from the kernel's random generator (getrandom(2)): true. If it
 * fails (no such call, or its pool not ready yet: it never waits), a key derived from the
 * clocks and addresses the process was given, unpredictable to whoever wrote a capture
 * beforehand; false then. Never fails otherwise. */
bool hash_key_random(struct siphash_key *k);
/* That fallback on its own (tests): two calls in one process give different keys. */
void hash_key_fallback(struct siphash_key *k);

/* The flow table's and the verdict tables' keys in cfg, each drawn by hash_key_random(). */
void hash_keys_config(struct fw_config *cfg);

#endif
