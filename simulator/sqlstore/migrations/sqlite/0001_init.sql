-- The first schema: sessions, their archives and their message logs.
-- Every table is keyed by the session's name.

CREATE TABLE sessions (
    name         TEXT    NOT NULL PRIMARY KEY,
    owner        TEXT    NOT NULL DEFAULT '',
    created      BIGINT  NOT NULL, -- Unix nanoseconds, real time
    last_used    BIGINT  NOT NULL, -- Unix nanoseconds, real time
    clock_offset BIGINT  NOT NULL DEFAULT 0, -- nanoseconds
    last_seq     BIGINT  NOT NULL DEFAULT 0
);

-- Every archived version: its metadata as api.Record JSON and the
-- document as received.
CREATE TABLE records (
    session     TEXT    NOT NULL,
    document_id TEXT    NOT NULL,
    set_id      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    meta        TEXT    NOT NULL,
    document    BLOB,
    PRIMARY KEY (session, document_id)
);
CREATE UNIQUE INDEX records_set ON records (session, set_id, version);

-- Every set with the indexed fields of its latest version.
CREATE TABLE sets (
    session       TEXT    NOT NULL,
    set_id        TEXT    NOT NULL,
    ord           BIGINT  NOT NULL, -- the order the sets were first stored in
    version       INTEGER NOT NULL,
    document_id   TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    custodian     TEXT    NOT NULL,
    case_id       TEXT    NOT NULL,
    main_document TEXT    NOT NULL,
    annulled      BOOLEAN NOT NULL,
    PRIMARY KEY (session, set_id)
);
CREATE INDEX sets_ord ON sets (session, ord);
CREATE INDEX sets_case ON sets (session, case_id);
CREATE INDEX sets_main ON sets (session, main_document);

-- The client identifiers of each set's latest version.
CREATE TABLE set_clients (
    session TEXT NOT NULL,
    client  TEXT NOT NULL,
    set_id  TEXT NOT NULL,
    PRIMARY KEY (session, client, set_id)
);
CREATE INDEX set_clients_set ON set_clients (session, set_id);

-- Temporary identifiers replaced by identity codes.
CREATE TABLE aliases (
    session       TEXT NOT NULL,
    temporary     TEXT NOT NULL,
    identity_code TEXT NOT NULL,
    PRIMARY KEY (session, temporary)
);
CREATE INDEX aliases_code ON aliases (session, identity_code);

-- The message log: each exchange as api.Exchange JSON, its parts and the
-- acknowledgement sent.
CREATE TABLE exchanges (
    session  TEXT   NOT NULL,
    seq      BIGINT NOT NULL,
    meta     TEXT   NOT NULL,
    frame    BLOB,
    document BLOB,
    ack      BLOB,
    PRIMARY KEY (session, seq)
);
