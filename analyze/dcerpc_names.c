/* analyze/dcerpc_names.c: DCE/RPC interfaces by name, and UUIDs as text, for the verdicts'
 * service names. The UUIDs are the interfaces' own (MS-RPCE, MS-DCOM, MS-WMI,
 * MS-SAMR, MS-LSAD, MS-NRPC, MS-RPRN, MS-SCMR, MS-RRP); parsing PDUs is dcerpc.c's. */
#include "dcerpc.h"

#include <stdio.h>
#include <string.h>

void dcerpc_uuid_format(const struct dcerpc_uuid *u, char *buf, size_t len)
{
    const uint8_t *b = u->b;
    snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static const struct {
    const char *uuid, *name;
} NAMES[] = {
    { "e1af8308-5d1f-11c9-91a4-08002b14a0fa", "epmapper" },
    { "000001a0-0000-0000-c000-000000000046", "ISystemActivator" },
    { "99fcfec4-5260-101b-bbcb-00aa0021347a", "IObjectExporter" },
    { "12345778-1234-abcd-ef00-0123456789ac", "SAMR" },
    { "12345778-1234-abcd-ef00-0123456789ab", "LSA" },
    { "12345678-1234-abcd-ef00-01234567cffb", "netlogon" },
    { "12345678-1234-abcd-ef00-0123456789ab", "spoolss" },
    { "367abb81-9844-35f1-ad32-98f038001003", "svcctl" },
    { "f309ad18-d86a-11d0-a075-00c04fb68820", "IWbemLevel1Login" },
    { "338cd001-2244-31f1-aaaa-900038001003", "winreg" },
};

const char *dcerpc_iface_name(const struct dcerpc_uuid *u)
{
    char t[DCERPC_UUID_STRLEN];
    dcerpc_uuid_format(u, t, sizeof t);
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcmp(t, NAMES[i].uuid) == 0)
            return NAMES[i].name;
    return NULL;
}

const char *dcerpc_iface_text(const struct dcerpc_uuid *u, char *buf, size_t len)
{
    const char *n = dcerpc_iface_name(u);
    if (n != NULL)
        snprintf(buf, len, "%s", n);
    else
        dcerpc_uuid_format(u, buf, len);
    return buf;
}
