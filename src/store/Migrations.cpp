#include "appreg/store/Migrations.h"

#include <stdexcept>

#include "appreg/domain/Timestamp.h"

namespace appreg::store {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "organizations, applications, activity stream",
         R"SQL(
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL,
    modified    TEXT NOT NULL
);
CREATE TABLE applications (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    name                     TEXT NOT NULL,
    description              TEXT NOT NULL DEFAULT '',
    client_id                TEXT NOT NULL UNIQUE,
    client_secret_hash       TEXT NOT NULL,
    client_type              TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
    redirect_uris            TEXT NOT NULL DEFAULT '',
    authorization_grant_type TEXT NOT NULL CHECK (authorization_grant_type IN ('authorization-code', 'password')),
    skip_authorization       INTEGER NOT NULL DEFAULT 0 CHECK (skip_authorization IN (0, 1)),
    organization_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created                  TEXT NOT NULL,
    modified                 TEXT NOT NULL,
    UNIQUE (name, organization_id)
);
CREATE INDEX applications_organization ON applications (organization_id);
CREATE TABLE activity_stream (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp   TEXT NOT NULL,
    operation   TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    object1     TEXT NOT NULL,
    object1_id  INTEGER NOT NULL,
    changes     TEXT NOT NULL,
    actor_id    INTEGER
);
CREATE INDEX activity_stream_object ON activity_stream (object1, object1_id);
)SQL"},
        {2, "access tokens; index for the default application order",
         R"SQL(
CREATE TABLE tokens (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    description          TEXT NOT NULL DEFAULT '',
    user_id              INTEGER,
    application_id       INTEGER REFERENCES applications (id) ON DELETE CASCADE,
    token_digest         TEXT NOT NULL UNIQUE,
    refresh_token_digest TEXT UNIQUE,
    scope                TEXT NOT NULL,
    expires              TEXT NOT NULL,
    created              TEXT NOT NULL,
    modified             TEXT NOT NULL
);
CREATE INDEX tokens_application ON tokens (application_id, id);
CREATE INDEX applications_organization_name ON applications (organization_id, name, id);
DROP INDEX applications_organization;
CREATE INDEX activity_stream_timestamp ON activity_stream (timestamp);
)SQL"},
        {3, "row counts kept by triggers, so an unfiltered list does not count a million rows",
         R"SQL(
CREATE TABLE row_counts (
    table_name TEXT PRIMARY KEY,
    n          INTEGER NOT NULL
);
INSERT INTO row_counts (table_name, n) SELECT 'applications', COUNT(*) FROM applications;
INSERT INTO row_counts (table_name, n) SELECT 'organizations', COUNT(*) FROM organizations;
INSERT INTO row_counts (table_name, n) SELECT 'tokens', COUNT(*) FROM tokens;
INSERT INTO row_counts (table_name, n) SELECT 'activity_stream', COUNT(*) FROM activity_stream;
CREATE TRIGGER applications_counted AFTER INSERT ON applications
    BEGIN UPDATE row_counts SET n = n + 1 WHERE table_name = 'applications'; END;
CREATE TRIGGER applications_uncounted AFTER DELETE ON applications
    BEGIN UPDATE row_counts SET n = n - 1 WHERE table_name = 'applications'; END;
CREATE TRIGGER organizations_counted AFTER INSERT ON organizations
    BEGIN UPDATE row_counts SET n = n + 1 WHERE table_name = 'organizations'; END;
CREATE TRIGGER organizations_uncounted AFTER DELETE ON organizations
    BEGIN UPDATE row_counts SET n = n - 1 WHERE table_name = 'organizations'; END;
CREATE TRIGGER tokens_counted AFTER INSERT ON tokens
    BEGIN UPDATE row_counts SET n = n + 1 WHERE table_name = 'tokens'; END;
CREATE TRIGGER tokens_uncounted AFTER DELETE ON tokens
    BEGIN UPDATE row_counts SET n = n - 1 WHERE table_name = 'tokens'; END;
CREATE TRIGGER activity_stream_counted AFTER INSERT ON activity_stream
    BEGIN UPDATE row_counts SET n = n + 1 WHERE table_name = 'activity_stream'; END;
)SQL"},
        {4, "users, organization roles, the actor of activity entries",
         R"SQL(
CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    username          TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    password          TEXT NOT NULL DEFAULT '',
    is_superuser      INTEGER NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1)),
    is_system_auditor INTEGER NOT NULL DEFAULT 0 CHECK (is_system_auditor IN (0, 1)),
    created           TEXT NOT NULL,
    modified          TEXT NOT NULL
);
CREATE TABLE organization_roles (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (organization_id, user_id, role)
);
CREATE INDEX organization_roles_user ON organization_roles (user_id);
CREATE INDEX tokens_user ON tokens (user_id);
ALTER TABLE activity_stream ADD COLUMN actor_username TEXT;
ALTER TABLE activity_stream ADD COLUMN actor_first_name TEXT;
ALTER TABLE activity_stream ADD COLUMN actor_last_name TEXT;
CREATE INDEX activity_stream_actor ON activity_stream (actor_id);
INSERT INTO row_counts (table_name, n) VALUES ('users', 0);
CREATE TRIGGER users_counted AFTER INSERT ON users
    BEGIN UPDATE row_counts SET n = n + 1 WHERE table_name = 'users'; END;
CREATE TRIGGER users_uncounted AFTER DELETE ON users
    BEGIN UPDATE row_counts SET n = n - 1 WHERE table_name = 'users'; END;
)SQL"},
        {5, "indexes for the choice filters of the application list",
         R"SQL(
CREATE INDEX applications_client_type ON applications (client_type, id);
CREATE INDEX applications_grant_type ON applications (authorization_grant_type, id);
)SQL"},
        {6, "a counter of every change that can change who a caller is (users, roles, tokens)",
         R"SQL(
CREATE TABLE credential_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO credential_changes (id, n) VALUES (1, 0);
CREATE TRIGGER users_changed AFTER UPDATE ON users
    BEGIN UPDATE credential_changes SET n = n + 1; END;
CREATE TRIGGER users_deleted AFTER DELETE ON users
    BEGIN UPDATE credential_changes SET n = n + 1; END;
CREATE TRIGGER roles_added AFTER INSERT ON organization_roles
    BEGIN UPDATE credential_changes SET n = n + 1; END;
CREATE TRIGGER roles_changed AFTER UPDATE ON organization_roles
    BEGIN UPDATE credential_changes SET n = n + 1; END;
CREATE TRIGGER roles_removed AFTER DELETE ON organization_roles
    BEGIN UPDATE credential_changes SET n = n + 1; END;
CREATE TRIGGER tokens_changed AFTER UPDATE ON tokens
    BEGIN UPDATE credential_changes SET n = n + 1; END;
CREATE TRIGGER tokens_deleted AFTER DELETE ON tokens
    BEGIN UPDATE credential_changes SET n = n + 1; END;
)SQL"},
        // SQLite checks `x IN (three or more constants)` through an ephemeral index built for every row it
        // inserts (EXPLAIN: OpenEphemeral): ~2 µs of the single writer's time per activity entry, i.e. per
        // write (bench/README.md, issue 7). The same rule as comparisons is checked in place. SQLite cannot
        // alter a CHECK, so the table is rebuilt (the 12-step procedure of its ALTER TABLE page; nothing
        // references activity_stream): same columns and rows, its AUTOINCREMENT counter kept, its indexes and
        // trigger created again.
        {7, "the activity stream's operation check as comparisons",
         R"SQL(
CREATE TABLE activity_stream_rebuilt (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp        TEXT NOT NULL,
    operation        TEXT NOT NULL
        CHECK (operation = 'create' OR operation = 'update' OR operation = 'delete'),
    object1          TEXT NOT NULL,
    object1_id       INTEGER NOT NULL,
    changes          TEXT NOT NULL,
    actor_id         INTEGER,
    actor_username   TEXT,
    actor_first_name TEXT,
    actor_last_name  TEXT
);
INSERT INTO activity_stream_rebuilt (id, timestamp, operation, object1, object1_id, changes, actor_id,
                                     actor_username, actor_first_name, actor_last_name)
    SELECT id, timestamp, operation, object1, object1_id, changes, actor_id,
           actor_username, actor_first_name, actor_last_name
    FROM activity_stream;
DELETE FROM sqlite_sequence WHERE name = 'activity_stream_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'activity_stream_rebuilt', seq FROM sqlite_sequence WHERE name = 'activity_stream';
DROP TABLE activity_stream;
ALTER TABLE activity_stream_rebuilt RENAME TO activity_stream;
CREATE INDEX activity_stream_object ON activity_stream (object1, object1_id);
CREATE INDEX activity_stream_timestamp ON activity_stream (timestamp);
CREATE INDEX activity_stream_actor ON activity_stream (actor_id);
CREATE TRIGGER activity_stream_counted AFTER INSERT ON activity_stream
    BEGIN UPDATE row_counts SET n = n + 1 WHERE table_name = 'activity_stream'; END;
)SQL"},
    };
    return all;
}

const std::vector<Migration>& postgresMigrations() {
    // SQLite's versions 1 to 6 as one step: PostgreSQL support began at version 6, so no PostgreSQL database
    // ever held an older schema. Types and behaviour follow SQLite's (dialect differences, in one place):
    //  - INTEGER in SQLite is 64-bit: BIGINT for ids, references and counters; flags stay 0/1 integers.
    //  - TEXT COLLATE "C": byte order, as SQLite compares and sorts, whatever the database's locale.
    //  - ids as SQLite's AUTOINCREMENT gives them: the highest id ever used + 1, kept in id_sequences by a
    //    trigger inside the inserting transaction, so a rolled-back insert gives its id back (a PostgreSQL
    //    sequence would leave a gap) and rows copied with their ids move the counter past them.
    //  - SQLite's trigger bodies as PL/pgSQL functions. Those that keep a count or a change counter run once
    //    per statement (the count from its transition table), not per row: PostgreSQL cannot prune the
    //    versions of a row its own open transaction keeps updating, so per-row updates of one counter row
    //    make a large delete (an organization with many applications) quadratic. Only the id trigger is per
    //    row, and inserts come one row at a time (copy-database replaces it for its batches).
    //  - data_version stands in for SQLite's PRAGMA data_version (see DataVersion): every statement that
    //    changes a table the API shows increments it, in its own transaction, whoever runs it (a worker on
    //    any host, psql, the copy command), so no cache outlives a change.
    static const std::vector<Migration> all = {
        {6, "the schema of SQLite's versions 1 to 6",
         R"SQL(
CREATE TABLE id_sequences (
    table_name TEXT COLLATE "C" PRIMARY KEY,
    last       BIGINT NOT NULL
);
INSERT INTO id_sequences (table_name, last) VALUES
    ('organizations', 0), ('applications', 0), ('activity_stream', 0), ('tokens', 0), ('users', 0);
CREATE FUNCTION appreg_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        UPDATE id_sequences SET last = last + 1 WHERE table_name = TG_TABLE_NAME RETURNING last INTO NEW.id;
    ELSE
        UPDATE id_sequences SET last = GREATEST(last, NEW.id) WHERE table_name = TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END $$;

CREATE TABLE organizations (
    id          BIGINT PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL UNIQUE,
    description TEXT COLLATE "C" NOT NULL DEFAULT '',
    created     TEXT COLLATE "C" NOT NULL,
    modified    TEXT COLLATE "C" NOT NULL
);
CREATE TABLE applications (
    id                       BIGINT PRIMARY KEY,
    name                     TEXT COLLATE "C" NOT NULL,
    description              TEXT COLLATE "C" NOT NULL DEFAULT '',
    client_id                TEXT COLLATE "C" NOT NULL UNIQUE,
    client_secret_hash       TEXT COLLATE "C" NOT NULL,
    client_type              TEXT COLLATE "C" NOT NULL CHECK (client_type IN ('confidential', 'public')),
    redirect_uris            TEXT COLLATE "C" NOT NULL DEFAULT '',
    authorization_grant_type TEXT COLLATE "C" NOT NULL
        CHECK (authorization_grant_type IN ('authorization-code', 'password')),
    skip_authorization       INTEGER NOT NULL DEFAULT 0 CHECK (skip_authorization IN (0, 1)),
    organization_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created                  TEXT COLLATE "C" NOT NULL,
    modified                 TEXT COLLATE "C" NOT NULL,
    UNIQUE (name, organization_id)
);
CREATE INDEX applications_organization_name ON applications (organization_id, name, id);
CREATE INDEX applications_client_type ON applications (client_type, id);
CREATE INDEX applications_grant_type ON applications (authorization_grant_type, id);
CREATE TABLE activity_stream (
    id               BIGINT PRIMARY KEY,
    timestamp        TEXT COLLATE "C" NOT NULL,
    operation        TEXT COLLATE "C" NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    object1          TEXT COLLATE "C" NOT NULL,
    object1_id       BIGINT NOT NULL,
    changes          TEXT COLLATE "C" NOT NULL,
    actor_id         BIGINT,
    actor_username   TEXT COLLATE "C",
    actor_first_name TEXT COLLATE "C",
    actor_last_name  TEXT COLLATE "C"
);
CREATE INDEX activity_stream_object ON activity_stream (object1, object1_id);
CREATE INDEX activity_stream_timestamp ON activity_stream (timestamp);
CREATE INDEX activity_stream_actor ON activity_stream (actor_id);
CREATE TABLE tokens (
    id                   BIGINT PRIMARY KEY,
    description          TEXT COLLATE "C" NOT NULL DEFAULT '',
    user_id              BIGINT,
    application_id       BIGINT REFERENCES applications (id) ON DELETE CASCADE,
    token_digest         TEXT COLLATE "C" NOT NULL UNIQUE,
    refresh_token_digest TEXT COLLATE "C" UNIQUE,
    scope                TEXT COLLATE "C" NOT NULL,
    expires              TEXT COLLATE "C" NOT NULL,
    created              TEXT COLLATE "C" NOT NULL,
    modified             TEXT COLLATE "C" NOT NULL
);
CREATE INDEX tokens_application ON tokens (application_id, id);
CREATE INDEX tokens_user ON tokens (user_id);
CREATE TABLE users (
    id                BIGINT PRIMARY KEY,
    username          TEXT COLLATE "C" NOT NULL UNIQUE,
    first_name        TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_name         TEXT COLLATE "C" NOT NULL DEFAULT '',
    email             TEXT COLLATE "C" NOT NULL DEFAULT '',
    password          TEXT COLLATE "C" NOT NULL DEFAULT '',
    is_superuser      INTEGER NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1)),
    is_system_auditor INTEGER NOT NULL DEFAULT 0 CHECK (is_system_auditor IN (0, 1)),
    created           TEXT COLLATE "C" NOT NULL,
    modified          TEXT COLLATE "C" NOT NULL
);
CREATE TABLE organization_roles (
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (organization_id, user_id, role)
);
CREATE INDEX organization_roles_user ON organization_roles (user_id);
CREATE TRIGGER organizations_id BEFORE INSERT ON organizations FOR EACH ROW EXECUTE FUNCTION appreg_next_id();
CREATE TRIGGER applications_id BEFORE INSERT ON applications FOR EACH ROW EXECUTE FUNCTION appreg_next_id();
CREATE TRIGGER activity_stream_id BEFORE INSERT ON activity_stream FOR EACH ROW EXECUTE FUNCTION appreg_next_id();
CREATE TRIGGER tokens_id BEFORE INSERT ON tokens FOR EACH ROW EXECUTE FUNCTION appreg_next_id();
CREATE TRIGGER users_id BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION appreg_next_id();

CREATE TABLE row_counts (
    table_name TEXT COLLATE "C" PRIMARY KEY,
    n          BIGINT NOT NULL
);
INSERT INTO row_counts (table_name, n) VALUES
    ('applications', 0), ('organizations', 0), ('tokens', 0), ('activity_stream', 0), ('users', 0);
CREATE FUNCTION appreg_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE row_counts
        SET n = n + (CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END) * (SELECT count(*) FROM changed_rows)
        WHERE table_name = TG_TABLE_NAME;
    RETURN NULL;
END $$;
CREATE TRIGGER applications_counted AFTER INSERT ON applications
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER applications_uncounted AFTER DELETE ON applications
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER organizations_counted AFTER INSERT ON organizations
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER organizations_uncounted AFTER DELETE ON organizations
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER tokens_counted AFTER INSERT ON tokens
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER tokens_uncounted AFTER DELETE ON tokens
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER activity_stream_counted AFTER INSERT ON activity_stream
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER users_counted AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();
CREATE TRIGGER users_uncounted AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION appreg_count_rows();

CREATE TABLE credential_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO credential_changes (id, n) VALUES (1, 0);
CREATE FUNCTION appreg_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credential_changes SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_credentials_changed();
CREATE TRIGGER roles_changed AFTER INSERT OR UPDATE OR DELETE ON organization_roles
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_credentials_changed();
CREATE TRIGGER tokens_changed AFTER UPDATE OR DELETE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_credentials_changed();

CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);
CREATE FUNCTION appreg_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_data_changed();
CREATE TRIGGER applications_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON applications
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_data_changed();
CREATE TRIGGER activity_stream_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON activity_stream
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_data_changed();
CREATE TRIGGER tokens_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_data_changed();
CREATE TRIGGER users_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_data_changed();
CREATE TRIGGER organization_roles_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organization_roles
    FOR EACH STATEMENT EXECUTE FUNCTION appreg_data_changed();
)SQL"},
        // Versions stay in step with SQLite's, which copy-database requires. PostgreSQL checks an IN list in
        // place: nothing to change.
        {7, "the activity stream's operation check as comparisons (SQLite only)", "SELECT 1"},
    };
    return all;
}

const std::vector<Migration>& migrations(Backend backend) {
    return backend == Backend::SQLite ? migrations() : postgresMigrations();
}

int applyMigrations(Connection& connection) {
    connection.executeScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied TEXT NOT NULL)");
    int current = 0;
    for (const auto& m : migrations(connection.backend())) {
        WriteTransaction tx(connection);
        Query seen(connection, "SELECT 1 FROM schema_migrations WHERE version = ?");
        if (!seen.bind(m.version).next()) {
            connection.executeScript(m.sql);
            Query(connection,
                  "INSERT INTO schema_migrations (version, description, applied) VALUES (?, ?, ?)")
                .bind(m.version)
                .bind(m.description)
                .bind(domain::formatTimestamp(domain::nowMicros()))
                .run();
        }
        tx.commit();
        current = m.version;
    }
    Query newest(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    newest.next();
    if (newest.integer(0) > current) {
        throw std::runtime_error("the database schema (version " + std::to_string(newest.integer(0)) +
                                 ") is newer than this worker understands (" + std::to_string(current) + ")");
    }
    return current;
}

}  // namespace appreg::store
