#include "appreg/store/Migrations.h"

#include <stdexcept>

#include "appreg/domain/Timestamp.h"

using namespace Poco::Data::Keywords;

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
    };
    return all;
}

int applyMigrations(Connection& connection) {
    auto& session = connection.session();
    translateErrors([&] {
        session << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied TEXT NOT NULL)",
            now;
    });
    int current = 0;
    for (const auto& m : migrations()) {
        WriteTransaction tx(connection);
        int seen = 0;
        translateErrors([&] {
            int version = m.version;
            session << "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", use(version), into(seen),
                now;
        });
        if (seen == 0) {
            translateErrors([&] {
                session << m.sql, now;
                int version = m.version;
                std::string description = m.description;
                std::string applied = domain::formatTimestamp(domain::nowMicros());
                session << "INSERT INTO schema_migrations (version, description, applied) VALUES (?, ?, ?)",
                    use(version), use(description), use(applied), now;
            });
        }
        tx.commit();
        current = m.version;
    }
    int newest = 0;
    translateErrors(
        [&] { session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(newest), now; });
    if (newest > current) {
        throw std::runtime_error("the database schema (version " + std::to_string(newest) +
                                 ") is newer than this worker understands (" + std::to_string(current) + ")");
    }
    return current;
}

}  // namespace appreg::store
