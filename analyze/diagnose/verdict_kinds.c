/* analyze/diagnose/verdict_kinds.c: the one table of verdict kinds (verdict.h's FW_VERDICTS)
 * and the names of outcomes and confidences. The report, the JSON, the view and the exit
 * status read a kind's properties here, so that none of them keeps its own switch over the
 * kinds. Which kind a cell gets is decide.c's. */
#include "../verdict.h"

static const struct {
    const char *name;
    bool blocking;
    int severity;
    enum verdict_tone tone;
} KINDS[] = {
#define VERDICT_ROW(id, text, blocking, severity, tone) { text, blocking, severity, tone },
    FW_VERDICTS(VERDICT_ROW)
#undef VERDICT_ROW
};

#define LOOKALIKE_NAME(id, text) text,
static const char *const LOOKALIKE_NAMES[] = { FW_LOOKALIKES(LOOKALIKE_NAME) };
#undef LOOKALIKE_NAME

const char *verdict_lookalike_name(enum verdict_lookalike l)
{
    return (unsigned)l < LOOKALIKE_COUNT ? LOOKALIKE_NAMES[l] : NULL;
}

#define BASIS_NAME(id, text) text,
static const char *const BASIS_NAMES[] = { FW_BASES(BASIS_NAME) };
#undef BASIS_NAME

const char *verdict_basis_name(enum verdict_basis b)
{
    return (unsigned)b < BASIS_COUNT ? BASIS_NAMES[b] : NULL;
}

#define WHERE_NAME(id, text) text,
static const char *const WHERE_NAMES[] = { FW_WHERES(WHERE_NAME) };
#undef WHERE_NAME

const char *verdict_where_name(enum verdict_where w)
{
    return (unsigned)w < WHERE_COUNT ? WHERE_NAMES[w] : NULL;
}

/* A look-alike explains a block away, except the capture's own drops (they make a block less
 * certain) and checksum offload (a note on the capture, never on a verdict). */
bool verdict_item_blocking(const struct verdict_item *it)
{
    bool away = it->lookalike != LOOKALIKE_NONE && it->lookalike != LOOKALIKE_CAPTURE_DROPS &&
                it->lookalike != LOOKALIKE_CKSUM_OFFLOAD;
    return verdict_kind_blocking(it->v.kind) && !away;
}

#define OUTCOME_NAME(name, text) text,
static const char *const OUTCOME_NAMES[] = { VERDICT_OUTCOMES(OUTCOME_NAME) };
#undef OUTCOME_NAME

const char *verdict_name(enum verdict_kind k)
{
    return (unsigned)k < VERDICT_KIND_COUNT ? KINDS[k].name : "?";
}

bool verdict_kind_blocking(enum verdict_kind k)
{
    return (unsigned)k < VERDICT_KIND_COUNT && KINDS[k].blocking;
}

int verdict_kind_severity(enum verdict_kind k)
{
    return (unsigned)k < VERDICT_KIND_COUNT ? KINDS[k].severity : VERDICT_KIND_COUNT;
}

enum verdict_tone verdict_kind_tone(enum verdict_kind k)
{
    return (unsigned)k < VERDICT_KIND_COUNT ? KINDS[k].tone : VERDICT_TONE_DIM;
}

const char *verdict_outcome_name(enum verdict_outcome o)
{
    return (unsigned)o < VO_COUNT ? OUTCOME_NAMES[o] : "?";
}

const char *verdict_conf_name(enum verdict_conf c)
{
    switch (c) {
    case VERDICT_CONF_HIGH: return "high";
    case VERDICT_CONF_MEDIUM: return "medium";
    default: return "low";
    }
}
