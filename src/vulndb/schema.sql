-- bosun vulnerability database, schema version 1 (documented in docs/database.md).
-- One file, written once by 'bosun db build' or 'bosun db update', never modified
-- in place: scans open it read-only (immutable). Rows are inserted in sorted order
-- so that two builds from the same feeds give the same content.
CREATE TABLE metadata (
    key TEXT PRIMARY KEY, -- 'schema_version', 'built_at' (RFC 3339 UTC), 'built_at_unix'
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY, -- feed importer: 'osv', 'debian-tracker', 'alpine-secdb', ...
    data_source TEXT NOT NULL, -- what findings name as data_source: 'osv', 'debian', ...
    records INTEGER NOT NULL, -- advisories stored from this source (after merging by id)
    newest TEXT, -- newest modified (else published) date of its records
    skipped INTEGER NOT NULL -- malformed records skipped with a warning
) WITHOUT ROWID;
CREATE TABLE advisories (
    adv INTEGER PRIMARY KEY, -- row id, referenced by aliases and affected
    id TEXT NOT NULL, -- 'CVE-2024-0727', 'GHSA-...', 'DSA-5678-1', 'PYSEC-...'
    source TEXT NOT NULL REFERENCES sources (name),
    summary TEXT,
    description TEXT,
    published TEXT, -- RFC 3339 as the feed gives it, or NULL
    modified TEXT,
    severity TEXT, -- the source's overall severity: LOW MEDIUM HIGH CRITICAL ...
    cvss TEXT, -- JSON [{"source","version","vector","score"}], or NULL
    cwes TEXT, -- JSON ["CWE-79", ...], or NULL
    refs TEXT -- JSON ["https://...", ...], or NULL
);
CREATE TABLE aliases (
    adv INTEGER NOT NULL REFERENCES advisories (adv),
    alias TEXT NOT NULL -- 'CVE-...', 'GHSA-...': other ids of the same flaw
);
CREATE TABLE affected (
    adv INTEGER NOT NULL REFERENCES advisories (adv),
    namespace TEXT NOT NULL, -- 'debian:12', 'alpine:3.19', 'wolfi', 'npm', 'pypi', ...
    package TEXT NOT NULL, -- source package, origin, PEP 503 name, 'group:artifact', ...
    scheme TEXT NOT NULL, -- version scheme: 'deb', 'apk', 'semver', 'pep440', ...
    range TEXT, -- canonical range (src/version/version.h); NULL = all versions
    fixed TEXT, -- first fixed version for reports, or NULL
    status TEXT NOT NULL, -- fixed not_fixed will_not_fix fix_deferred end_of_life affected
    severity TEXT, -- vendor severity for this package and release, or NULL
    module TEXT, -- rpm modularity stream, or NULL
    arch TEXT -- NULL = every architecture
);
CREATE UNIQUE INDEX advisories_by_id ON advisories (id, source);
CREATE INDEX aliases_by_alias ON aliases (alias);
CREATE INDEX aliases_by_adv ON aliases (adv);
CREATE INDEX affected_by_package ON affected (namespace, package);
CREATE INDEX affected_by_adv ON affected (adv);
