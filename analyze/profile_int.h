/* analyze/profile_int.h: what profile.c (model, built-ins, overrides, index) shares with
 * profile_parse.c (the file format). Not for other modules: they use profile.h. */
#ifndef FW_PROFILE_INT_H
#define FW_PROFILE_INT_H

#include "profile.h"

char *profile_dup_n(const char *s, size_t n); /* malloc'd, NUL-terminated copy; NULL: no memory */
void profile_entry_fini(struct profile_entry *e);
/* A new zeroed entry at the end of p; NULL when out of memory. Callers check the cap. */
struct profile_entry *profile_entry_push(struct profile *p);
/* (Re)builds the port index after entries changed. */
int profile_index(struct profile *p);
bool profile_is_sep(char c); /* separates list items: ',' or a blank */
/* Sets e's ranges from s[0..n), "6320, 6325-6326"; where prefixes messages ("FILE:LINE").
 * FW_EUSAGE and err when it is no list of ports 1-65535 or ranges LO-HI. */
int profile_entry_set_ports(struct profile_entry *e, const char *s, size_t n, const char *where,
                            char err[FW_ERRLEN]);

#endif
