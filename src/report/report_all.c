/* The report-writer table: writers.def expanded into declarations and a NULL-terminated list. */
#include <string.h>

#include "report/report.h"

#define BSN_WRITER(n) extern const struct bsn_report_writer bsn_writer_##n;
#include "report/writers.def"
#undef BSN_WRITER

const struct bsn_report_writer *const bsn_report_writers[] = {
#define BSN_WRITER(n) &bsn_writer_##n,
#include "report/writers.def"
#undef BSN_WRITER
    NULL,
};

const struct bsn_report_writer *
bsn_report_find(const char *name)
{
    for (size_t i = 0; bsn_report_writers[i]; i++)
        if (strcmp(bsn_report_writers[i]->name, name) == 0)
            return bsn_report_writers[i];
    return NULL;
}

void
bsn_report_opts_init(struct bsn_report_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->tool_name = "bosun";
    o->tool_version = BSN_VERSION;
}
