/*
 * The secret scanner's built-in rules (secret_rules.c) and the shape of user rules.
 *
 * Each rule is one Hyperscan (vectorscan) regular expression; all rules are compiled into one
 * streaming database, so each byte of a layer is examined once whatever the number of rules.
 * Private to src/analyzer/.
 */
#ifndef BSN_ANALYZER_SECRET_RULES_H
#define BSN_ANALYZER_SECRET_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "bosun.h"

enum bsn_secret_value {
    BSN_SECRET_WHOLE = 0, /* the whole match is the secret */
    BSN_SECRET_AFTER_SEP, /* key = value: the secret is what follows the first ':' or '=' */
};

struct bsn_secret_rule {
    const char *id;        /* "aws-access-key-id" */
    const char *title;
    enum bsn_severity severity;
    const char *regex;     /* Hyperscan syntax */
    bool caseless;
    enum bsn_secret_value value;
    double min_entropy;    /* Shannon bits per character the value must reach; 0 = no test */
};

extern const struct bsn_secret_rule bsn_secret_rules[];
extern const size_t bsn_secret_rule_count;

/* Known example and placeholder values that are never secrets (vendors' documentation keys). */
extern const char *const bsn_secret_examples[];

#endif
