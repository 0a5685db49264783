/*
 * The matcher and the finding filters: the two steps between the merged inventory and the
 * report (DESIGN.md "Data flow").
 *
 *   bsn_match   packages x vulnerability database -> r->vulns (plus warnings in r->diags)
 *   bsn_filter  severity, --ignore-unfixed, .bosunignore, VEX, baseline -> r->vulns pruned,
 *               r->suppressed says what the ignore file and VEX removed and why
 *
 * Matching rules (issue 6): OS packages are looked up in the namespace of the detected OS
 * ("debian:12" from 12.7, "alpine:3.19" from 3.19.1, "ubuntu:22.04", "rhel:9" …) by source
 * package (Debian/Ubuntu source name and source version, binNMU "+bN" dropped; Alpine origin;
 * rpm binary name with "E:V-R", epoch 0 when missing, modularity streams equal). Language
 * packages by ecosystem ("npm", "pypi" with PEP 503 names, "maven" group:artifact, "go",
 * "crates.io", "rubygems", "packagist", "nuget"). Ranges are evaluated with the scheme each
 * affected row names. Advisories of one package that are aliases of each other (a GHSA and
 * its CVE) become one finding whose other ids are in aliases. Severity: the distro's own for
 * OS packages, else GHSA/OSV for language packages, else the NVD CVSS v3 base score band;
 * every source's severity is kept in vendor_severity.
 */
#ifndef BSN_MATCH_H
#define BSN_MATCH_H

#include "base/err.h"
#include "bosun.h"
#include "vulndb/vulndb.h"

/*
 * Matches r->packages against db and appends the findings to r->vulns (in r->arena). Adds
 * warnings to r->diags for an OS unknown to the database or past its end of life (then
 * r->os.eosl is set), OS packages without a recognised OS, a database older than
 * o->db_max_age_s, and advisories whose ranges cannot be evaluated. Fails only on database
 * errors (BSN_EDB).
 */
BSN_MUST_USE bsn_code bsn_match(struct bsn_vdb *db, struct bsn_result *r,
                                const struct bsn_scan_opts *o, struct bsn_err *err);

/*
 * Applies o's filters to r (and to each of r->platforms): severities (findings, secrets and
 * misconfigurations), ignore_unfixed (findings whose status is not "fixed"), the ignore file
 * (ids or aliases, '#' comments, "exp:YYYY-MM-DD" after which an entry lapses relative to
 * o->now; a missing file is no error: the CLI checks an explicit --ignorefile exists), the VEX
 * documents (OpenVEX and CycloneDX VEX: not_affected/fixed statements by vulnerability id or
 * alias and product purl), and the baseline (an earlier bosun JSON report: sets is_new on the
 * findings not in it). Fails with the file named when an ignore file, VEX document or baseline
 * cannot be read or parsed.
 */
BSN_MUST_USE bsn_code bsn_filter(struct bsn_result *r, const struct bsn_scan_opts *o,
                                 struct bsn_err *err);

/*
 * Reads a CycloneDX or SPDX JSON SBOM (implemented in src/scan/scan_sbom.c) into r: one
 * package per component with a purl, typed and named from the purl alone; the OS from the
 * purls' distro qualifiers ("debian-12.7" -> debian 12.7). r->arena must be set. BSN_EFORMAT
 * naming the file when it is neither format, BSN_EIO when it cannot be read.
 */
BSN_MUST_USE bsn_code bsn_sbom_read(const char *path, struct bsn_result *r, struct bsn_err *err);
/* The same for a document in memory (path names it in messages). */
BSN_MUST_USE bsn_code bsn_sbom_parse(const char *path, const char *data, size_t len,
                                     struct bsn_result *r, struct bsn_err *err);

#endif
