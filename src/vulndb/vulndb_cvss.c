/*
 * CVSS base scores from vectors, for feeds that publish only the vector (OSV severity[]).
 * v3.0 and v3.1 per https://www.first.org/cvss/v3.1/specification-document section 7 (v3.1's
 * Roundup, v3.0's ceiling), v2 per https://www.first.org/cvss/v2/guide section 3.2.1.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

/* Value of metric key in a "/"-separated vector, or '\0'. */
static char
metric(const char *vec, const char *key)
{
    size_t kl = strlen(key);
    const char *p = vec;
    while (p && *p) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ':' && p[kl + 1] &&
            (p[kl + 2] == '/' || p[kl + 2] == '\0'))
            return p[kl + 1];
        p = strchr(p, '/');
        if (p)
            p++;
    }
    return '\0';
}

static double
roundup31(double x)
{
    long long i = llround(x * 100000.0);
    if (i % 10000 == 0)
        return (double)i / 100000.0;
    return (floor((double)i / 10000.0) + 1.0) / 10.0;
}

static double
cia3(char c, bool *ok)
{
    switch (c) {
    case 'H': return 0.56;
    case 'L': return 0.22;
    case 'N': return 0.0;
    default: *ok = false; return 0.0;
    }
}

static double
score3(const char *vec, bool v31)
{
    bool ok = true;
    double av, ac, pr, ui;
    char s = metric(vec, "S");
    switch (metric(vec, "AV")) {
    case 'N': av = 0.85; break;
    case 'A': av = 0.62; break;
    case 'L': av = 0.55; break;
    case 'P': av = 0.2; break;
    default: return 0.0;
    }
    switch (metric(vec, "AC")) {
    case 'L': ac = 0.77; break;
    case 'H': ac = 0.44; break;
    default: return 0.0;
    }
    switch (metric(vec, "PR")) {
    case 'N': pr = 0.85; break;
    case 'L': pr = s == 'C' ? 0.68 : 0.62; break;
    case 'H': pr = s == 'C' ? 0.5 : 0.27; break;
    default: return 0.0;
    }
    switch (metric(vec, "UI")) {
    case 'N': ui = 0.85; break;
    case 'R': ui = 0.62; break;
    default: return 0.0;
    }
    double c = cia3(metric(vec, "C"), &ok), i = cia3(metric(vec, "I"), &ok),
           a = cia3(metric(vec, "A"), &ok);
    if (!ok || (s != 'U' && s != 'C'))
        return 0.0;
    double iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    double impact = s == 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
    double expl = 8.22 * av * ac * pr * ui;
    if (impact <= 0)
        return 0.0;
    double base = s == 'U' ? fmin(impact + expl, 10.0) : fmin(1.08 * (impact + expl), 10.0);
    return v31 ? roundup31(base) : ceil(base * 10.0 - 1e-9) / 10.0;
}

static double
cia2(char c, bool *ok)
{
    switch (c) {
    case 'N': return 0.0;
    case 'P': return 0.275;
    case 'C': return 0.660;
    default: *ok = false; return 0.0;
    }
}

static double
score2(const char *vec)
{
    bool ok = true;
    double av, ac, au;
    switch (metric(vec, "AV")) {
    case 'L': av = 0.395; break;
    case 'A': av = 0.646; break;
    case 'N': av = 1.0; break;
    default: return 0.0;
    }
    switch (metric(vec, "AC")) {
    case 'H': ac = 0.35; break;
    case 'M': ac = 0.61; break;
    case 'L': ac = 0.71; break;
    default: return 0.0;
    }
    switch (metric(vec, "Au")) {
    case 'M': au = 0.45; break;
    case 'S': au = 0.56; break;
    case 'N': au = 0.704; break;
    default: return 0.0;
    }
    double c = cia2(metric(vec, "C"), &ok), i = cia2(metric(vec, "I"), &ok),
           a = cia2(metric(vec, "A"), &ok);
    if (!ok)
        return 0.0;
    double impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    double expl = 20.0 * av * ac * au;
    double f = impact == 0.0 ? 0.0 : 1.176;
    double base = (0.6 * impact + 0.4 * expl - 1.5) * f;
    return round(base * 10.0) / 10.0;
}

double
bsn_vdb_cvss_score(const char *vector)
{
    if (!vector)
        return 0.0;
    if (strncmp(vector, "CVSS:3.1/", 9) == 0)
        return score3(vector + 9, true);
    if (strncmp(vector, "CVSS:3.0/", 9) == 0)
        return score3(vector + 9, false);
    if (strncmp(vector, "CVSS:", 5) == 0)
        return 0.0;
    if (strncmp(vector, "(", 1) == 0)
        vector++;
    return score2(vector);
}
