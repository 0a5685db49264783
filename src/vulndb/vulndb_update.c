/* 'bosun db update': placeholder until the downloader lands (same issue). */
#include "vulndb/vulndb_int.h"

bsn_code
bsn_db_update(const struct bsn_db_update_opts *o, struct bsn_err *err)
{
    return bsn_err_set(err, BSN_EUNSUPPORTED, "'db update' of '%s' is not available yet",
                       o->db_path);
}
