/*
 * Go executables: the module build information the Go linker embeds in every ELF binary it
 * builds (what `go version -m` prints), read while the file streams by.
 *
 * Layout (Go's debug/buildinfo and cmd/link/internal/ld/data.go):
 *   - the blob starts with the 14-byte magic "\xff Go buildinf:", 16-byte aligned, in the
 *     first writable PT_LOAD segment (the ".go.buildinfo" section: first in the segment for
 *     internally linked binaries, after .data for cgo ones, 92 KiB in Debian's skopeo);
 *     header of 32 bytes: magic, pointer size, flags;
 *   - Go >= 1.18 (flags & 2): two strings inline after the header, each a uvarint length and
 *     bytes: the Go version ("go1.21.5", maybe " X:boringcrypto" after it) and the module info,
 *     framed by two 16-byte sentinels;
 *   - Go < 1.18 (flags 0 or 1 for big-endian): two pointers to the string headers of
 *     runtime.buildVersion and runtime.modinfo, whose bytes sit in .rodata, before the header
 *     in the stream: see struct old_state for how they are recorded on the way. The module
 *     info is found by its sentinels; the version needs its string header after the build
 *     info header (internal linking). NEEDSWORK: cgo-linked binaries put .data first, so
 *     their Go version (stdlib) stays unknown; their modules are reported.
 * Module info lines: "path P", "mod PATH VERSION SUM" (the main module), "dep PATH VERSION
 * SUM", "=> PATH VERSION SUM" (replaces the dep line before it), "build KEY=VALUE".
 *
 * Reported as Trivy does (pkg/dependency/parser/golang/binary): the main module (relationship
 * root; a "(devel)" version is replaced by a "-X main.version=" style ldflag when there is one,
 * else left empty), every dep or its replacement (a replacement by a local directory, whose
 * version is empty or "(devel)", keeps the required module's path and version; Trivy would
 * report "../dir" itself), and the toolchain as "stdlib" in
 * the "v1.21.5" form. Debian builds its Go packages in GOPATH mode: those binaries have a path
 * line but no mod/dep lines, so they give only stdlib.
 *
 * Cost: every regular file whose first bytes are not an ELF header is dropped after one chunk;
 * for ELF files the header and program headers are kept, the writable segment is searched
 * in passing (one compare per 16 bytes, a 14-byte carry across chunk boundaries), and only
 * the blob itself (at most 4 MiB of module info) is buffered; the rest is skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "textfmt/purl.h"

#define GOBIN_HEAD (64u * 1024)          /* ELF header and program headers must lie here */
#define GOBIN_MAX_INFO (4u * 1024 * 1024)
#define GOBIN_MIN_SIZE 1024
#define GOBIN_MAX_LOADS 16
#define GOBIN_MAX_VERS 256
#define GOBIN_VER_MAX 32

static const unsigned char sentinel_start[16] = { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                                  0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 };
static const unsigned char sentinel_end[16] = { 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                                0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2 };

static const unsigned char gobin_magic[14] = { 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i',
                                               'l', 'd', 'i', 'n', 'f', ':' };

struct load {
    uint64_t vaddr, off, filesz;
};

/*
 * Go < 1.18 keeps the version and the module info as ordinary strings the header points at,
 * mostly in .rodata, which streams by before the header does. So, for every ELF file, the
 * stream is searched as it goes for the module info (framed by its 16-byte sentinels: the
 * first framed blob is kept) and for "go1." strings (offset and 32 bytes each, the first
 * GOBIN_MAX_VERS); when the header shows up, the version's string header is read (from the
 * buffered blob, or captured when it streams by later) and resolved against those strings.
 * A version whose string header came before the header (cgo-linked binaries) stays unknown.
 */
struct vcand {
    uint64_t off;
    unsigned char s[GOBIN_VER_MAX];
    size_t n;
};

struct old_state {
    struct vcand *vers;
    size_t n_vers;
    unsigned char vtail[3];      /* the last bytes of the previous chunk, for "go1." across it */
    size_t vtail_len;
    unsigned char stail[15];     /* the same for the start sentinel */
    size_t stail_len;
    bool mod_open, mod_done;
    struct bsn_buf mod;          /* from the start sentinel on */
    /* the header's version string header, once the header is found */
    bool pending;
    unsigned ptr_size;
    bool be;
    uint64_t want_off;
    unsigned char hdr[16];
    size_t hdr_len;
};

struct gobin {
    unsigned char *head;
    size_t head_len;
    bool parsed;
    uint64_t off;            /* file offset of the next byte fed */
    uint64_t seg_off;        /* file range of the writable segment */
    uint64_t seg_end;
    bool found;              /* the magic is at magic_off, data holds the bytes from there */
    uint64_t magic_off;
    unsigned char carry[sizeof(gobin_magic)]; /* a magic candidate cut by a chunk boundary */
    size_t carry_len;
    uint64_t carry_pos;
    struct bsn_buf data;
    bool done;
    struct load loads[GOBIN_MAX_LOADS];
    size_t n_loads;
    struct old_state *old;   /* Go < 1.18 bookkeeping, allocated for ELF files */
};

/* ---- ELF ------------------------------------------------------------------------------------ */

static uint64_t
rd(const unsigned char *p, unsigned n, bool be)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
    return v;
}

enum elf_res { ELF_NEED, ELF_NOT, ELF_OK };

/* Reads the PT_LOAD table and finds the first writable segment, from the headers in g->head. */
static enum elf_res
elf_parse(struct gobin *g, bool complete, uint64_t *seg_off, uint64_t *seg_len)
{
    const unsigned char *h = g->head;
    size_t len = g->head_len;
    if (len < 64)
        return complete ? ELF_NOT : ELF_NEED;
    if (memcmp(h, "\x7f" "ELF", 4) != 0 || (h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
        return ELF_NOT;
    bool is64 = h[4] == 2, be = h[5] == 2;
    uint64_t phoff = is64 ? rd(h + 32, 8, be) : rd(h + 28, 4, be);
    uint64_t phentsize = is64 ? rd(h + 54, 2, be) : rd(h + 42, 2, be);
    uint64_t phnum = is64 ? rd(h + 56, 2, be) : rd(h + 44, 2, be);
    uint64_t need = is64 ? 56 : 32;
    if (phnum == 0 || phentsize < need || phoff > GOBIN_HEAD ||
        phnum * phentsize > GOBIN_HEAD - phoff)
        return ELF_NOT;
    if (phoff + phnum * phentsize > len)
        return complete ? ELF_NOT : ELF_NEED;
    bool have_seg = false;
    g->n_loads = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        const unsigned char *ph = h + phoff + i * phentsize;
        if (rd(ph, 4, be) != 1 /* PT_LOAD */)
            continue;
        uint64_t flags = is64 ? rd(ph + 4, 4, be) : rd(ph + 24, 4, be);
        uint64_t off = is64 ? rd(ph + 8, 8, be) : rd(ph + 4, 4, be);
        uint64_t vaddr = is64 ? rd(ph + 16, 8, be) : rd(ph + 8, 4, be);
        uint64_t filesz = is64 ? rd(ph + 32, 8, be) : rd(ph + 16, 4, be);
        if (g->n_loads < GOBIN_MAX_LOADS) {
            g->loads[g->n_loads].vaddr = vaddr;
            g->loads[g->n_loads].off = off;
            g->loads[g->n_loads].filesz = filesz;
            g->n_loads++;
        }
        if (!have_seg && (flags & 2 /* PF_W */) && filesz) {
            *seg_off = off;
            *seg_len = filesz;
            have_seg = true;
        }
    }
    return have_seg ? ELF_OK : ELF_NOT;
}

/* File offset of a virtual address, or UINT64_MAX when no PT_LOAD maps it from the file. */
static uint64_t
vaddr_to_off(const struct gobin *g, uint64_t va)
{
    for (size_t i = 0; i < g->n_loads; i++) {
        const struct load *l = &g->loads[i];
        if (va >= l->vaddr && va - l->vaddr < l->filesz)
            return l->off + (va - l->vaddr);
    }
    return UINT64_MAX;
}

/* ---- build info ------------------------------------------------------------------------------ */

static bool
uvarint(const unsigned char *p, size_t len, size_t *used, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *used = i + 1;
            *out = v;
            return true;
        }
    }
    return false;
}

static char *
go_purl(struct bsn_arena *a, const char *path, const char *version)
{
    const char *slash = strrchr(path, '/');
    struct bsn_purl p = { .type = "golang", .name = path, .version = version };
    if (slash) {
        p.namespace = bsn_arena_strndup(a, path, (size_t)(slash - path));
        p.name = slash + 1;
    }
    return bsn_purl_format(a, &p);
}

static void
emit(struct bsn_actx *ctx, struct bsn_str name, struct bsn_str version, enum bsn_dep_kind dep)
{
    struct bsn_arena *a = bsn_actx_arena(ctx);
    struct bsn_package *p = bsn_actx_add_package(ctx);
    p->type = "golang";
    p->name = bsn_arena_strslice(a, name);
    p->version = bsn_arena_strslice(a, version);
    p->purl = go_purl(a, p->name, p->version);
    p->dep = dep;
}

/* Splits "a\tb\tc" into at most n tab-separated fields; returns the count. */
static size_t
tabs(struct bsn_str line, struct bsn_str *f, size_t n)
{
    size_t k = 0;
    struct bsn_str head, tail;
    while (k + 1 < n && bsn_str_split(line, '\t', &head, &tail)) {
        f[k++] = head;
        line = tail;
    }
    if (k < n)
        f[k++] = line;
    return k;
}

/* The version a "-X pkg.version=V" ldflag gives a "(devel)" main module, as Trivy reads it. */
static struct bsn_str
ldflags_version(struct bsn_str ldflags)
{
    static const char *const keys[] = { "main.version=", "main.Version=", "/version.Version=",
                                        "/version.version=", "/cmd.version=", "/cmd.Version=" };
    for (size_t i = 0; i < ldflags.len; i++) {
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            size_t kl = strlen(keys[k]);
            if (ldflags.len - i < kl || memcmp(ldflags.ptr + i, keys[k], kl) != 0)
                continue;
            /* main.* must be the whole package name: preceded by a blank, '=' or quote */
            if (keys[k][0] == 'm' && i > 0 && ldflags.ptr[i - 1] != ' ' &&
                ldflags.ptr[i - 1] != '=' && ldflags.ptr[i - 1] != '\'' &&
                ldflags.ptr[i - 1] != '"')
                continue;
            size_t s = i + kl, e = s;
            while (e < ldflags.len && ldflags.ptr[e] != ' ' && ldflags.ptr[e] != '\'' &&
                   ldflags.ptr[e] != '"')
                e++;
            if (e > s)
                return bsn_str_make(ldflags.ptr + s, e - s);
        }
    }
    return bsn_str_make("", 0);
}

static void
report(struct bsn_actx *ctx, struct bsn_str gover, struct bsn_str mod)
{
    struct bsn_arena *s = bsn_actx_scratch(ctx);
    /* Module framing: 16-byte sentinels around the text (cmd/go/internal/modload). */
    if (mod.len >= 33 && mod.ptr[mod.len - 17] == '\n')
        mod = bsn_str_make(mod.ptr + 16, mod.len - 32);
    else
        mod = bsn_str_make("", 0);

    struct bsn_str main_path = { "", 0 }, main_ver = { "", 0 }, ldflags = { "", 0 };
    struct bsn_str dep_path = { "", 0 }, dep_ver = { "", 0 };
    bool have_dep = false;
    struct bsn_str cur = mod, line;
    while (bsn_sp_line(&cur, &line) == 0) {
        struct bsn_str f[4] = { { "", 0 }, { "", 0 }, { "", 0 }, { "", 0 } };
        size_t n = tabs(line, f, 4);
        if (n >= 3 && bsn_str_eq_cstr(f[0], "mod")) {
            main_path = f[1];
            main_ver = f[2];
        } else if (n >= 2 && bsn_str_eq_cstr(f[0], "dep")) {
            if (have_dep && dep_path.len)
                emit(ctx, dep_path, dep_ver, BSN_DEP_UNKNOWN);
            dep_path = f[1];
            dep_ver = n >= 3 ? f[2] : bsn_str_make("", 0);
            have_dep = true;
        } else if (n >= 2 && bsn_str_eq_cstr(f[0], "=>") && have_dep) {
            /* a module replacement; a directory (no version, or "(devel)") keeps the
             * required module */
            if (n >= 3 && f[2].len && !bsn_str_eq_cstr(f[2], "(devel)")) {
                dep_path = f[1];
                dep_ver = f[2];
            }
        } else if (n >= 2 && bsn_str_eq_cstr(f[0], "build") &&
                   bsn_str_starts(f[1], "-ldflags=")) {
            ldflags = bsn_str_make(f[1].ptr + 9, f[1].len - 9);
        }
    }
    if (have_dep && dep_path.len)
        emit(ctx, dep_path, dep_ver, BSN_DEP_UNKNOWN);
    if (main_path.len) {
        if (bsn_str_eq_cstr(main_ver, "(devel)"))
            main_ver = ldflags_version(ldflags);
        emit(ctx, main_path, main_ver, BSN_DEP_ROOT);
    }
    /* "go1.21.5", "go1.21.5 X:boringcrypto", "go1.22rc1"; "devel go1.23-…" has none */
    if (bsn_str_starts(gover, "go") && gover.len > 2 && gover.ptr[2] >= '0' &&
        gover.ptr[2] <= '9') {
        size_t n = 2;
        while (n < gover.len && gover.ptr[n] != ' ')
            n++;
        char *v = bsn_arena_printf(s, "v%.*s", (int)(n - 2), gover.ptr + 2);
        emit(ctx, BSN_STR_LIT("stdlib"), bsn_str_cstr(v), BSN_DEP_DIRECT);
    }
}

/* ---- Go < 1.18: strings recorded while streaming ------------------------------------------ */

static void
vers_add(struct old_state *o, uint64_t off, const unsigned char *p, size_t avail)
{
    if (o->n_vers == GOBIN_MAX_VERS)
        return;
    if (!o->vers)
        o->vers = bsn_xcalloc(GOBIN_MAX_VERS, sizeof(*o->vers));
    struct vcand *v = &o->vers[o->n_vers++];
    v->off = off;
    v->n = avail < GOBIN_VER_MAX ? avail : GOBIN_VER_MAX;
    memcpy(v->s, p, v->n);
}

/* Keeps the last cap bytes of (tail, b) in tail: the stream's most recent bytes. */
static void
keep_tail(unsigned char *tail, size_t *tail_len, size_t cap, const unsigned char *b, size_t len)
{
    size_t total = *tail_len + len, keep = total < cap ? total : cap;
    unsigned char nt[16];
    if (len >= keep) {
        memcpy(nt, b + len - keep, keep);
    } else {
        size_t from_tail = keep - len;
        memcpy(nt, tail + *tail_len - from_tail, from_tail);
        memcpy(nt + from_tail, b, len);
    }
    memcpy(tail, nt, keep);
    *tail_len = keep;
}

/*
 * memmem for needles with one rare byte: memchr (vectorised in glibc) for the byte at index k,
 * then a compare. glibc's memmem walks the haystack with a shift table; over the few hundred
 * MiB of executables a large image holds this is several times faster (in x86-64 binaries
 * 'g' is about 0.2% of bytes, the start sentinel's 0x92 0.05%).
 */
static const unsigned char *
find_rare(const unsigned char *h, size_t n, const unsigned char *needle, size_t m, size_t k)
{
    if (n < m)
        return NULL;
    const unsigned char *p = h + k, *last = h + (n - m) + k; /* last position of the byte */
    while (p <= last && (p = memchr(p, needle[k], (size_t)(last - p) + 1)) != NULL) {
        if (memcmp(p - k, needle, m) == 0)
            return p - k;
        p++;
    }
    return NULL;
}

static const unsigned char go1_prefix[4] = { 'g', 'o', '1', '.' };

/* Records "go1." strings and the framed module info in the chunk b at file offset start. */
static void
old_scan(struct old_state *o, const unsigned char *b, size_t len, uint64_t start)
{
    /* complete the candidates the previous chunk cut short */
    for (size_t i = o->n_vers; i-- > 0;) {
        struct vcand *v = &o->vers[i];
        if (v->off + GOBIN_VER_MAX <= start)
            break;
        if (v->n < GOBIN_VER_MAX && v->off + v->n == start) {
            size_t take = GOBIN_VER_MAX - v->n;
            if (take > len)
                take = len;
            memcpy(v->s + v->n, b, take);
            v->n += take;
        }
    }
    /* "go1." across the boundary: starting in the last bytes of the previous chunk */
    if (o->vtail_len && len) {
        unsigned char w[3 + GOBIN_VER_MAX];
        size_t wl = o->vtail_len, take = len < GOBIN_VER_MAX ? len : GOBIN_VER_MAX;
        memcpy(w, o->vtail, wl);
        memcpy(w + wl, b, take);
        for (size_t i = 0; i < o->vtail_len; i++)
            if (wl + take - i >= 4 && memcmp(w + i, "go1.", 4) == 0)
                vers_add(o, start - wl + i, w + i, wl + take - i);
    }
    for (const unsigned char *p = b, *end = b + len;
         (p = find_rare(p, (size_t)(end - p), go1_prefix, 4, 0)) != NULL; p++)
        vers_add(o, start + (uint64_t)(p - b), p, (size_t)(end - p));
    keep_tail(o->vtail, &o->vtail_len, sizeof(o->vtail), b, len);

    /* the module info: from the start sentinel to the end sentinel */
    if (o->mod_done)
        return;
    size_t from = 0;
    if (!o->mod_open) {
        const unsigned char *hit = NULL;
        if (o->stail_len && len) {
            unsigned char w[15 + 16];
            size_t take = len < 16 ? len : 16;
            memcpy(w, o->stail, o->stail_len);
            memcpy(w + o->stail_len, b, take);
            const unsigned char *q = memmem(w, o->stail_len + take, sentinel_start, 16);
            if (q && (size_t)(q - w) < o->stail_len) {
                size_t in_tail = o->stail_len - (size_t)(q - w);
                if (bsn_buf_add(&o->mod, sentinel_start, 16) == BSN_OK) {
                    o->mod_open = true;
                    from = 16 - in_tail;
                }
            }
        }
        if (!o->mod_open && (hit = find_rare(b, len, sentinel_start, 16, 4)) != NULL) {
            o->mod_open = true;
            from = (size_t)(hit - b);
        }
        if (!o->mod_open) {
            keep_tail(o->stail, &o->stail_len, sizeof(o->stail), b, len);
            return;
        }
    }
    size_t before = o->mod.len;
    if (bsn_buf_add(&o->mod, b + from, len - from) != BSN_OK) {
        o->mod_done = true; /* over the cap: not module info */
        bsn_buf_reset(&o->mod);
        return;
    }
    size_t look = before > 16 + 15 ? before - 15 : 16;
    if (o->mod.len > look) {
        const unsigned char *e = find_rare((const unsigned char *)o->mod.ptr + look,
                                           o->mod.len - look, sentinel_end, 16, 0);
        if (e) {
            o->mod.len = (size_t)(e - (const unsigned char *)o->mod.ptr) + 16;
            o->mod_done = true;
            o->mod_open = false;
        }
    }
}

/* The Go version the captured string header points at, or an empty slice. */
static struct bsn_str
old_version(const struct gobin *g)
{
    const struct old_state *o = g->old;
    struct bsn_str none = { "", 0 };
    if (!o->ptr_size || o->hdr_len < 2 * o->ptr_size)
        return none;
    uint64_t addr = rd(o->hdr, o->ptr_size, o->be);
    uint64_t n = rd(o->hdr + o->ptr_size, o->ptr_size, o->be);
    uint64_t off = vaddr_to_off(g, addr);
    for (size_t i = 0; off != UINT64_MAX && i < o->n_vers; i++)
        if (o->vers[i].off == off && n <= o->vers[i].n)
            return bsn_str_make((const char *)o->vers[i].s, (size_t)n);
    return none;
}

enum info_res { INFO_NEED, INFO_NOT, INFO_DONE };

/* Decodes the blob buffered from its magic on; INFO_NEED while it is incomplete. */
static enum info_res
try_decode(struct bsn_actx *ctx, struct gobin *g, bool complete, struct bsn_err *err)
{
    const unsigned char *d = (const unsigned char *)g->data.ptr;
    size_t len = g->data.len, at = 0;
    if (len < 32)
        return complete ? INFO_NOT : INFO_NEED;
    unsigned char flags = d[at + 15];
    if (!(flags & 2)) {
        /* Go < 1.18: pointers to the version and module-info string headers */
        struct old_state *o = g->old;
        unsigned ps = d[at + 14];
        if (ps != 4 && ps != 8)
            return INFO_NOT;
        if (!o->pending) {
            o->pending = true;
            o->ptr_size = ps;
            o->be = flags & 1;
            o->want_off = vaddr_to_off(g, rd(d + at + 16, ps, o->be));
        }
        /* the string header after the build-info header (internal linking) is in data */
        if (o->hdr_len < 2u * ps && o->want_off != UINT64_MAX && o->want_off >= g->magic_off) {
            uint64_t rel = o->want_off - g->magic_off;
            if (rel <= len && len - (size_t)rel >= 2u * ps) {
                memcpy(o->hdr, d + rel, 2u * ps);
                o->hdr_len = 2u * ps;
            } else if (!complete) {
                return INFO_NEED;
            }
        }
        struct bsn_str mod = { "", 0 };
        if (o->mod_done)
            mod = bsn_buf_str(&o->mod);
        struct bsn_str gover = old_version(g);
        if (mod.len < 33 && !gover.len) {
            bsn_err_set(err, BSN_EUNSUPPORTED, "go binary built before go 1.18: neither its "
                        "version nor its module info could be read while streaming");
            return INFO_NOT;
        }
        report(ctx, gover, mod);
        return INFO_DONE;
    }
    size_t p = at + 32, used;
    uint64_t vlen, mlen;
    if (!uvarint(d + p, len - p, &used, &vlen))
        return complete || len - p >= 10 ? INFO_NOT : INFO_NEED;
    if (vlen > 1024 || vlen > len - p - used)
        return complete || vlen > 1024 ? INFO_NOT : INFO_NEED;
    struct bsn_str gover = bsn_str_make((const char *)d + p + used, (size_t)vlen);
    p += used + (size_t)vlen;
    if (!uvarint(d + p, len - p, &used, &mlen))
        return complete || len - p >= 10 ? INFO_NOT : INFO_NEED;
    if (mlen > GOBIN_MAX_INFO) {
        bsn_err_set(err, BSN_ELIMIT, "go build info of %llu bytes is over the %u-byte limit",
                    (unsigned long long)mlen, GOBIN_MAX_INFO);
        return INFO_NOT;
    }
    if (mlen > len - p - used)
        return complete ? INFO_NOT : INFO_NEED;
    report(ctx, gover, bsn_str_make((const char *)d + p + used, (size_t)mlen));
    return INFO_DONE;
}

/* ---- streaming entry points ------------------------------------------------------------------ */

static bool
gobin_wants(const struct bsn_path *p)
{
    /* regular files with an execute bit (Go binaries are installed executable) */
    return (p->mode & 0170000) == 0100000 && (p->mode & 0111) && p->size >= GOBIN_MIN_SIZE;
}

static bsn_code
gobin_begin(struct bsn_actx *ctx, const struct bsn_path *p, void **state, struct bsn_err *err)
{
    (void)ctx;
    (void)p;
    (void)err;
    struct gobin *g = bsn_xcalloc(1, sizeof(*g));
    g->head = bsn_xmalloc(GOBIN_HEAD);
    bsn_buf_init(&g->data, 32 + 2 * 10 + 1024 + GOBIN_MAX_INFO);
    *state = g;
    return BSN_OK;
}

/* Starts buffering at the magic found at file offset pos; bytes from chunk b[from..len). */
static void
found_at(struct gobin *g, uint64_t pos, const unsigned char *pre, size_t pre_len)
{
    g->found = true;
    g->magic_off = pos;
    if (pre_len && bsn_buf_add(&g->data, pre, pre_len) != BSN_OK)
        g->done = true;
}

/* Searches the segment bytes of this chunk (file offsets [start, start + len)). */
static void
search(struct gobin *g, const unsigned char *b, size_t len, uint64_t start)
{
    const size_t mlen = sizeof(gobin_magic);
    uint64_t end = start + len;
    if (g->carry_len) {
        /* the candidate continues at the start of this chunk */
        size_t take = mlen - g->carry_len;
        if (take > len)
            take = len;
        memcpy(g->carry + g->carry_len, b, take);
        g->carry_len += take;
        if (g->carry_len < mlen)
            return;
        g->carry_len = 0;
        if (memcmp(g->carry, gobin_magic, mlen) == 0) {
            found_at(g, g->carry_pos, g->carry, mlen);
            return;
        }
    }
    uint64_t lo = start > g->seg_off ? start : g->seg_off;
    uint64_t hi = end < g->seg_end ? end : g->seg_end;
    if (lo >= hi)
        return;
    for (uint64_t pos = (lo + 15) & ~(uint64_t)15; pos < hi; pos += 16) {
        const unsigned char *q = b + (pos - start);
        if (*q != gobin_magic[0])
            continue;
        size_t avail = (size_t)(end - pos);
        if (avail >= mlen) {
            if (memcmp(q, gobin_magic, mlen) == 0) {
                found_at(g, pos, NULL, 0);
                return;
            }
        } else if (pos + mlen <= g->seg_end && memcmp(q, gobin_magic, avail) == 0) {
            memcpy(g->carry, q, avail);
            g->carry_len = avail;
            g->carry_pos = pos;
        }
    }
}

static bsn_code
gobin_data(struct bsn_actx *ctx, void *state, const void *buf, size_t len, struct bsn_err *err)
{
    struct gobin *g = state;
    const unsigned char *b = buf;
    uint64_t start = g->off;
    g->off += len;
    if (g->done)
        return BSN_ECANCELED;
    if (!g->parsed) {
        size_t take = GOBIN_HEAD - g->head_len;
        if (take > len)
            take = len;
        memcpy(g->head + g->head_len, b, take);
        g->head_len += take;
        uint64_t seg_len = 0;
        enum elf_res r = elf_parse(g, g->head_len == GOBIN_HEAD, &g->seg_off, &seg_len);
        if (r == ELF_NEED)
            return BSN_OK;
        if (r == ELF_NOT || g->seg_off < start || seg_len > UINT64_MAX - g->seg_off) {
            g->done = true;
            return BSN_ECANCELED; /* not ELF, or no data segment after what we hold */
        }
        g->seg_end = g->seg_off + seg_len;
        g->parsed = true;
        g->old = bsn_xcalloc(1, sizeof(*g->old));
        bsn_buf_init(&g->old->mod, 32 + GOBIN_MAX_INFO);
    }
    if (!g->found) {
        old_scan(g->old, b, len, start);
        search(g, b, len, start);
        if (g->done)
            return BSN_ECANCELED;
        if (!g->found) {
            if (g->off >= g->seg_end && !g->carry_len) {
                g->done = true; /* the segment went by without build info: not Go */
                return BSN_ECANCELED;
            }
            return BSN_OK;
        }
    }
    /* keep the bytes from magic_off + data.len that this chunk holds */
    uint64_t want_from = g->magic_off + g->data.len;
    uint64_t end = start + len;
    if (want_from < end && want_from >= start) {
        size_t from = (size_t)(want_from - start);
        size_t n = len - from;
        size_t room = g->data.max - g->data.len;
        if (n > room)
            n = room;
        if (n && bsn_buf_add(&g->data, b + from, n) != BSN_OK) {
            g->done = true;
            return BSN_ECANCELED;
        }
    }
    enum info_res r = try_decode(ctx, g, g->data.len == g->data.max, err);
    if (r == INFO_NEED)
        return BSN_OK;
    g->done = true;
    if (r == INFO_NOT && err->msg[0])
        return err->code;
    return BSN_ECANCELED;
}

static bsn_code
gobin_end(struct bsn_actx *ctx, void *state, struct bsn_err *err)
{
    struct gobin *g = state;
    bsn_code rc = BSN_OK;
    if (g->found && !g->done) {
        /* the file ended inside the segment: decode what there is */
        struct bsn_err e;
        bsn_err_clear(&e);
        if (try_decode(ctx, g, true, &e) != INFO_DONE && e.msg[0])
            rc = bsn_err_set(err, e.code, "%s", e.msg);
    }
    bsn_buf_release(&g->data);
    if (g->old) {
        bsn_buf_release(&g->old->mod);
        free(g->old->vers);
        free(g->old);
    }
    free(g->head);
    free(g);
    return rc;
}

const struct bsn_analyzer bsn_analyzer_gobin = {
    .name = "gobin",
    .scheme = "golang",
    .version = 1,
    .wants = gobin_wants,
    .stream_begin = gobin_begin,
    .stream_data = gobin_data,
    .stream_end = gobin_end,
};
