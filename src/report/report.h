/*
 * Report writers: one file per format (report_json.c, report_table.c, report_sarif.c,
 * report_cyclonedx.c, report_spdx.c), each exporting one const struct bsn_report_writer
 * listed in writers.def. A writer renders a struct bsn_result into a buffer; the front end
 * writes the buffer atomically. Writers depend on the result types of bosun.h only.
 */
#ifndef BSN_REPORT_H
#define BSN_REPORT_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"
#include "bosun.h"

struct bsn_report_opts {
    bool color;             /* ANSI colour (table, on a terminal only) */
    bool baseline;          /* a baseline was given: mark new findings */
    const char *tool_name;  /* "bosun" */
    const char *tool_version;
};

struct bsn_report_writer {
    const char *name;       /* "json", "table", "sarif", "cyclonedx", "spdx-json" */
    const char *mime;       /* media type for the server */
    bsn_code (*write)(const struct bsn_result *r, const struct bsn_report_opts *o,
                      struct bsn_buf *out, struct bsn_err *err);
};

extern const struct bsn_report_writer *const bsn_report_writers[];
const struct bsn_report_writer *bsn_report_find(const char *name);
void bsn_report_opts_init(struct bsn_report_opts *o);

#endif
