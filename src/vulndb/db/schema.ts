/** Schema of the local vulnerability DB file (separate from the registry's metadata). */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (
  uid INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  summary TEXT,
  details TEXT,
  severity TEXT,
  cvss TEXT NOT NULL,
  published TEXT,
  modified TEXT,
  withdrawn TEXT,
  refs TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  UNIQUE (namespace, id)
);
CREATE TABLE IF NOT EXISTS aliases (
  advisory_uid INTEGER NOT NULL REFERENCES advisories(uid) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  PRIMARY KEY (advisory_uid, alias)
);
CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias);
CREATE TABLE IF NOT EXISTS affected (
  advisory_uid INTEGER NOT NULL REFERENCES advisories(uid) ON DELETE CASCADE,
  ecosystem TEXT NOT NULL,
  package TEXT NOT NULL,
  ranges TEXT NOT NULL,
  versions TEXT NOT NULL,
  release TEXT,
  status TEXT,
  fixed_version TEXT,
  severity TEXT
);
CREATE INDEX IF NOT EXISTS affected_package ON affected(ecosystem, package);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected(advisory_uid);
CREATE TABLE IF NOT EXISTS cvss_enrichment (
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  modified TEXT,
  cvss TEXT NOT NULL,
  PRIMARY KEY (id, source)
);
CREATE TABLE IF NOT EXISTS sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  origin TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  data_updated_at TEXT,
  records INTEGER NOT NULL,
  inserted INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  warnings INTEGER NOT NULL
);
`;
