-- The fleet registry on PostgreSQL (fleet/pg-store.ts). A record is a JSON document in `doc`, the
-- fields the server looks up or claims by are columns beside it: a field added to a record later
-- needs no migration, a new column or index does (002_..., never an edit of this file).

-- boards: the registry (keys, assigned release, health); claimed_by/claim_until is the deploy
-- lease one update server holds while it writes the board's image
CREATE TABLE boards (
    id text PRIMARY KEY,
    device_id text NOT NULL UNIQUE,
    doc jsonb NOT NULL,
    claimed_by text,
    claim_until bigint
);

-- release images by sha256: immutable, shared by every server (none keeps them on its own disk)
CREATE TABLE images (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data bytea NOT NULL
);

-- one release is one version built for one board type; a version is immutable
CREATE TABLE releases (
    version text NOT NULL,
    board text NOT NULL,
    sha256 text NOT NULL REFERENCES images (sha256),
    built_at text NOT NULL,
    manifest jsonb NOT NULL,
    PRIMARY KEY (version, board)
);

CREATE TABLE rollouts (
    id text PRIMARY KEY,
    stage text NOT NULL,
    started_at bigint NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX rollouts_active ON rollouts (started_at DESC, id DESC) WHERE stage IN ('canary', 'percent', 'all', 'paused');

CREATE TABLE log (
    seq bigserial PRIMARY KEY,
    t bigint NOT NULL,
    board text,
    rollout text,
    msg text NOT NULL
);
CREATE INDEX log_t ON log (t, seq);
CREATE INDEX log_board ON log (board, t, seq);
