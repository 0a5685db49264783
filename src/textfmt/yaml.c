/*
 * YAML into jansson trees (contract in yaml.h), built from libyaml's event stream with an
 * explicit stack (no recursion, so depth is a checked limit rather than a stack overflow).
 *
 * Quirks handled: pnpm-lock.yaml keys such as `/@babel/core@7.0.0:` and version keys `1.10:`
 * keep their text; rubysec's `cvss_v3: 9.8` stays "9.8" unless BSN_YAML_NUMBERS; Alpine
 * secdb's `- "1.2.3-r0":` keys are plain strings; GitLab-style merge keys are expanded.
 */
#include "textfmt/yaml.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/map.h"
#include "base/xalloc.h"

struct anchor {
    char *name;
    json_t *node;     /* a reference held by the table */
    size_t weight;    /* nodes in the subtree, alias expansions included */
};

struct frame {
    json_t *node;     /* object or array being built */
    char *anchor;     /* anchor to register when the node closes, or NULL */
    size_t start;     /* node count when the node opened */
    json_t *key;      /* object: the pending key (a JSON string), NULL when expecting a key */
    bool merge;       /* the pending key is a plain "<<" */
};

struct builder {
    unsigned flags;
    size_t max_nodes, max_depth;
    size_t nodes;
    struct frame *stack;
    size_t depth, cap;
    struct anchor *anchors;
    size_t n_anchors, cap_anchors;
    struct bsn_map anchor_index; /* name -> index + 1 of its latest definition */
    json_t *root;     /* the finished document */
    struct bsn_err *err;
};

static bsn_code
fail_at(struct builder *b, bsn_code code, const yaml_event_t *ev, const char *what)
{
    return bsn_err_set(b->err, code, "line %zu, column %zu: %s", ev->start_mark.line + 1,
                       ev->start_mark.column + 1, what);
}

static bool
eq_any(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(s, *list, n) == 0)
            return true;
    return false;
}

static bool
is_null_text(const char *s, size_t n)
{
    static const char *const nulls[] = { "~", "null", "Null", "NULL", "", NULL };
    return eq_any(s, n, nulls);
}

/* 1 true, 0 false, -1 not a boolean */
static int
bool_text(const char *s, size_t n)
{
    static const char *const yes[] = { "true", "True", "TRUE", NULL };
    static const char *const no[] = { "false", "False", "FALSE", NULL };
    if (eq_any(s, n, yes))
        return 1;
    if (eq_any(s, n, no))
        return 0;
    return -1;
}

static bool
all_in(const char *s, size_t n, const char *set)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i]))
            return false;
    return true;
}

/* Core-schema int (decimal with sign, 0o octal, 0x hex) into *v; false if not one or too big. */
static bool
int_text(const char *s, size_t n, json_int_t *v)
{
    char tmp[72];
    int base = 10;
    const char *p = s;
    size_t len = n;
    if (n >= sizeof(tmp))
        return false;
    if (len > 2 && p[0] == '0' && p[1] == 'o' && all_in(p + 2, len - 2, "01234567")) {
        base = 8;
        p += 2;
        len -= 2;
    } else if (len > 2 && p[0] == '0' && p[1] == 'x' &&
               all_in(p + 2, len - 2, "0123456789abcdefABCDEF")) {
        base = 16;
        p += 2;
        len -= 2;
    } else {
        size_t i = (len > 0 && (p[0] == '-' || p[0] == '+')) ? 1 : 0;
        if (!all_in(p + i, len - i, "0123456789"))
            return false;
    }
    memcpy(tmp, p, len);
    tmp[len] = '\0';
    errno = 0;
    char *end;
    long long r = strtoll(tmp, &end, base);
    if (errno || *end)
        return false;
    *v = (json_int_t)r;
    return true;
}

/* Core-schema float ([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?) into *v. */
static bool
float_text(const char *s, size_t n, double *v)
{
    char tmp[128];
    size_t i = 0, digits = 0;
    if (n == 0 || n >= sizeof(tmp))
        return false;
    if (s[i] == '-' || s[i] == '+')
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t e = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            e++;
        }
        if (e == 0)
            return false;
    }
    if (i != n)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    double r = strtod(tmp, &end);
    if (*end)
        return false;
    *v = r;
    return true;
}

static json_t *
string_node(const char *s, size_t n)
{
    return json_stringn(s, n); /* NULL on invalid UTF-8 (libyaml validates, so rare) */
}

/* The value of a scalar event per the rules in yaml.h. */
static json_t *
scalar_value(const struct builder *b, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool plain = ev->data.scalar.plain_implicit &&
                 ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    bool numbers = (b->flags & BSN_YAML_NUMBERS) != 0;

    if (tag && strcmp(tag, "!") != 0) {
        json_int_t iv;
        double dv;
        int bv;
        if (strcmp(tag, YAML_NULL_TAG) == 0 && is_null_text(s, n))
            return json_null();
        if (strcmp(tag, YAML_BOOL_TAG) == 0 && (bv = bool_text(s, n)) >= 0)
            return json_boolean(bv);
        if (numbers && strcmp(tag, YAML_INT_TAG) == 0 && int_text(s, n, &iv))
            return json_integer(iv);
        if (numbers && strcmp(tag, YAML_FLOAT_TAG) == 0 && float_text(s, n, &dv))
            return json_real(dv);
        return string_node(s, n);
    }
    if (!plain)
        return string_node(s, n);
    if (is_null_text(s, n))
        return json_null();
    int bv = bool_text(s, n);
    if (bv >= 0)
        return json_boolean(bv);
    if (numbers) {
        json_int_t iv;
        double dv;
        if (int_text(s, n, &iv))
            return json_integer(iv);
        if (float_text(s, n, &dv))
            return json_real(dv);
    }
    return string_node(s, n);
}

static void
anchor_put(struct builder *b, const char *name, json_t *node, size_t weight)
{
    if (b->n_anchors == b->cap_anchors) {
        b->cap_anchors = b->cap_anchors ? b->cap_anchors * 2 : 16;
        b->anchors = bsn_xrealloc(b->anchors, b->cap_anchors * sizeof(*b->anchors));
    }
    struct anchor *a = &b->anchors[b->n_anchors++];
    a->name = bsn_xstrdup(name);
    a->node = json_incref(node);
    a->weight = weight;
    /* the latest definition wins (YAML allows redefinition); names live as long as the map */
    bsn_map_put(&b->anchor_index, a->name, strlen(a->name), (void *)(uintptr_t)b->n_anchors);
}

static const struct anchor *
anchor_get(const struct builder *b, const char *name)
{
    uintptr_t i = (uintptr_t)bsn_map_get(&b->anchor_index, name, strlen(name));
    return i ? &b->anchors[i - 1] : NULL;
}

static bsn_code
count_nodes(struct builder *b, const yaml_event_t *ev, size_t k)
{
    if (k > b->max_nodes - b->nodes) {
        char msg[128];
        snprintf(msg, sizeof(msg), "document exceeds %zu nodes (alias expansion?)",
                 b->max_nodes);
        return fail_at(b, BSN_ELIMIT, ev, msg);
    }
    b->nodes += k;
    return BSN_OK;
}

/* True if v can be merged: a mapping, or a sequence of mappings. */
static bool
mergeable(json_t *v)
{
    size_t i;
    json_t *e;
    if (json_is_object(v))
        return true;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return false;
    json_array_foreach(v, i, e) {
        if (!json_is_object(e))
            return false;
    }
    return true;
}

/* Merge key: copy keys of src (mergeable) not set in dst. */
static void
merge_into(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    if (json_is_array(src)) {
        size_t i;
        json_t *e;
        json_array_foreach(src, i, e)
            merge_into(dst, e);
        return;
    }
    json_object_foreach(src, k, v) {
        if (!json_object_get(dst, k))
            json_object_set(dst, k, v);
    }
}

/* Hands a finished value (reference stolen) to the enclosing node or makes it the root. */
static bsn_code
add_value(struct builder *b, const yaml_event_t *ev, json_t *v)
{
    if (b->depth == 0) {
        if (b->root)
            json_decref(b->root);
        b->root = v;
        return BSN_OK;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (json_is_array(f->node)) {
        json_array_append_new(f->node, v);
        return BSN_OK;
    }
    if (!f->key) {
        /* only reached for an alias used as key */
        if (!json_is_string(v)) {
            json_decref(v);
            return fail_at(b, BSN_EUNSUPPORTED, ev, "mapping key is not a scalar");
        }
        f->key = v;
        f->merge = false;
        return BSN_OK;
    }
    /* "<<" with anything but mappings is an ordinary key */
    if (f->merge && mergeable(v))
        merge_into(f->node, v);
    else
        json_object_setn_new(f->node, json_string_value(f->key), json_string_length(f->key),
                             json_incref(v));
    json_decref(v);
    json_decref(f->key);
    f->key = NULL;
    f->merge = false;
    return BSN_OK;
}

static bool
expecting_key(const struct builder *b)
{
    return b->depth > 0 && json_is_object(b->stack[b->depth - 1].node) &&
           !b->stack[b->depth - 1].key;
}

static bsn_code
open_node(struct builder *b, const yaml_event_t *ev, json_t *node, const yaml_char_t *anchor)
{
    if (expecting_key(b)) {
        json_decref(node);
        return fail_at(b, BSN_EUNSUPPORTED, ev, "complex mapping key (mapping or sequence)");
    }
    if (b->depth >= b->max_depth) {
        json_decref(node);
        return fail_at(b, BSN_ELIMIT, ev, "nesting too deep");
    }
    bsn_code rc = count_nodes(b, ev, 1);
    if (rc != BSN_OK) {
        json_decref(node);
        return rc;
    }
    if (b->depth == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->stack = bsn_xrealloc(b->stack, b->cap * sizeof(*b->stack));
    }
    struct frame *f = &b->stack[b->depth++];
    f->node = node;
    f->anchor = anchor ? bsn_xstrdup((const char *)anchor) : NULL;
    f->start = b->nodes - 1;
    f->key = NULL;
    f->merge = false;
    return BSN_OK;
}

static bsn_code
close_node(struct builder *b, const yaml_event_t *ev)
{
    if (b->depth == 0)
        return fail_at(b, BSN_EFORMAT, ev, "unbalanced end of collection");
    struct frame f = b->stack[--b->depth];
    if (f.key) {
        json_decref(f.key);
        json_decref(f.node);
        free(f.anchor);
        return fail_at(b, BSN_EFORMAT, ev, "mapping key without value");
    }
    if (f.anchor) {
        anchor_put(b, f.anchor, f.node, b->nodes - f.start);
        free(f.anchor);
    }
    return add_value(b, ev, f.node);
}

static bsn_code
on_scalar(struct builder *b, const yaml_event_t *ev)
{
    BSN_TRY(count_nodes(b, ev, 1));
    json_t *v;
    if (expecting_key(b)) {
        struct frame *f = &b->stack[b->depth - 1];
        v = string_node((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (!v)
            return fail_at(b, BSN_EFORMAT, ev, "key is not valid UTF-8");
        f->merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                   ev->data.scalar.length == 2 && memcmp(ev->data.scalar.value, "<<", 2) == 0;
        f->key = v;
        if (ev->data.scalar.anchor)
            anchor_put(b, (const char *)ev->data.scalar.anchor, v, 1);
        return BSN_OK;
    }
    v = scalar_value(b, ev);
    if (!v)
        return fail_at(b, BSN_EFORMAT, ev, "scalar is not valid UTF-8");
    if (ev->data.scalar.anchor)
        anchor_put(b, (const char *)ev->data.scalar.anchor, v, 1);
    return add_value(b, ev, v);
}

static bsn_code
on_alias(struct builder *b, const yaml_event_t *ev)
{
    const struct anchor *a = anchor_get(b, (const char *)ev->data.alias.anchor);
    if (!a) {
        char msg[160];
        snprintf(msg, sizeof(msg), "unknown or unfinished anchor '%.100s'",
                 (const char *)ev->data.alias.anchor);
        return fail_at(b, BSN_EFORMAT, ev, msg);
    }
    BSN_TRY(count_nodes(b, ev, a->weight));
    return add_value(b, ev, json_incref(a->node));
}

static void
builder_release(struct builder *b)
{
    for (size_t i = 0; i < b->depth; i++) {
        json_decref(b->stack[i].node);
        json_decref(b->stack[i].key);
        free(b->stack[i].anchor);
    }
    free(b->stack);
    for (size_t i = 0; i < b->n_anchors; i++) {
        free(b->anchors[i].name);
        json_decref(b->anchors[i].node);
    }
    free(b->anchors);
    bsn_map_release(&b->anchor_index);
    json_decref(b->root);
}

/* Anchors are scoped to their document. */
static void
anchors_clear(struct builder *b)
{
    bsn_map_release(&b->anchor_index);
    bsn_map_init(&b->anchor_index);
    for (size_t i = 0; i < b->n_anchors; i++) {
        free(b->anchors[i].name);
        json_decref(b->anchors[i].node);
    }
    b->n_anchors = 0;
}

bsn_code
bsn_yaml_parse_opts(const char *data, size_t len, const struct bsn_yaml_opts *opts,
                    json_t **out, struct bsn_err *err)
{
    struct builder b;
    yaml_parser_t parser;
    yaml_event_t ev;
    bsn_code rc = BSN_OK;
    bool all = opts && (opts->flags & BSN_YAML_ALL_DOCS);
    json_t *docs = all ? json_array() : NULL;
    json_t *first = NULL;
    bool done = false;

    memset(&b, 0, sizeof(b));
    bsn_map_init(&b.anchor_index);
    b.flags = opts ? opts->flags : 0;
    b.max_nodes = opts && opts->max_nodes ? opts->max_nodes
                  : (len > SIZE_MAX - BSN_YAML_BASE_NODES ? SIZE_MAX : BSN_YAML_BASE_NODES + len);
    b.max_depth = opts && opts->max_depth ? opts->max_depth : BSN_YAML_MAX_DEPTH;
    b.err = err;

    if (!yaml_parser_initialize(&parser))
        BSN_BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);

    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            char ctx[200] = "";
            if (parser.context)
                snprintf(ctx, sizeof(ctx), " (%s at line %zu)", parser.context,
                         parser.context_mark.line + 1);
            rc = bsn_err_set(err, parser.error == YAML_MEMORY_ERROR ? BSN_ELIMIT : BSN_EFORMAT,
                             "line %zu, column %zu: %s%s", parser.problem_mark.line + 1,
                             parser.problem_mark.column + 1,
                             parser.problem ? parser.problem : "invalid YAML", ctx);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            json_decref(b.root);
            b.root = NULL;
            break;
        case YAML_DOCUMENT_END_EVENT:
            anchors_clear(&b);
            if (all) {
                json_array_append_new(docs, b.root ? b.root : json_null());
            } else if (!first) {
                first = b.root ? b.root : json_null();
                done = true;
            } else {
                json_decref(b.root);
            }
            b.root = NULL;
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = open_node(&b, &ev, json_array(), ev.data.sequence_start.anchor);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = open_node(&b, &ev, json_object(), ev.data.mapping_start.anchor);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = close_node(&b, &ev);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc != BSN_OK)
            break;
    }
    yaml_parser_delete(&parser);
    builder_release(&b);
    if (rc != BSN_OK) {
        json_decref(docs);
        json_decref(first);
        return rc;
    }
    *out = all ? docs : (first ? first : json_null());
    return BSN_OK;
}

bsn_code
bsn_yaml_parse(const char *data, size_t len, json_t **out, struct bsn_err *err)
{
    return bsn_yaml_parse_opts(data, len, NULL, out, err);
}
