/*
 * Tar path normalisation: layer tars name their members "./etc/passwd", "etc/passwd",
 * "/etc/passwd" or "etc//x/../passwd" depending on the tool that wrote them (docker, buildkit,
 * kaniko, umoci, tar --transform); the merge compares paths, so all become "etc/passwd".
 * A path whose ".." climbs above the root (a hostile "../../etc/passwd") is refused.
 */
#include <string.h>

#include "layer/layer.h"

bool
bsn_path_normalize(char *p, size_t *len)
{
    size_t n = *len, out = 0, i = 0;
    while (i < n) {
        while (i < n && p[i] == '/')
            i++;
        size_t start = i;
        while (i < n && p[i] != '/')
            i++;
        size_t seg = i - start;
        if (seg == 0 || (seg == 1 && p[start] == '.'))
            continue;
        if (seg == 2 && p[start] == '.' && p[start + 1] == '.') {
            if (out == 0)
                return false; /* escapes the root */
            while (out > 0 && p[out - 1] != '/')
                out--;
            if (out > 0)
                out--; /* the separator before the dropped segment */
            continue;
        }
        if (out > 0)
            p[out++] = '/';
        memmove(p + out, p + start, seg);
        out += seg;
    }
    p[out] = '\0';
    *len = out;
    return out > 0;
}
