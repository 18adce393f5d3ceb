/* analyze/flow_testlib.h: for the flow table's unit tests (include it after cmocka.h): a
 * table of max_flows under the default configuration (hash key zero: the tests' own keys). */
#ifndef FW_FLOW_TESTLIB_H
#define FW_FLOW_TESTLIB_H

#include "analyze/analyzer.h"
#include "analyze/flow_table.h"

static inline struct flow_table *flow_test_table(uint32_t max_flows, flow_end_fn on_end)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.max_flows = max_flows;
    struct flow_table *t = flow_table_new(&cfg, on_end, NULL);
    assert_non_null(t);
    return t;
}

#endif
