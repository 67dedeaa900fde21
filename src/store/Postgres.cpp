#include "appreg/store/Postgres.h"

#include <libpq-fe.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "appreg/store/Database.h"
#include "appreg/store/Dialect.h"

namespace appreg::store {

namespace {

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

bool startsWith(const char* s, const char* prefix) {
    return s && std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

}  // namespace

std::string postgresMessage(const char* message) {
    std::string out;
    for (const char* c = message ? message : ""; *c; ++c) {
        if (*c == '\n' || *c == '\t' || *c == '\r') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += *c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

void throwPostgresError(pg_conn* conn, const pg_result* result, const std::string& context) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = postgresMessage(result ? PQresultErrorMessage(result) : "");
    if (message.empty() && conn) message = postgresMessage(PQerrorMessage(conn));
    const std::string what = context + ": " + message;
    if (startsWith(state, "23505")) throw ConstraintViolation(ConstraintViolation::Kind::Unique, what);
    if (startsWith(state, "23503")) throw ConstraintViolation(ConstraintViolation::Kind::ForeignKey, what);
    if (startsWith(state, "23")) throw ConstraintViolation(ConstraintViolation::Kind::Other, what);
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK)
        throw DatabaseUnavailable("lost the connection to PostgreSQL: " + what);
    // Connection exceptions, shutdown, statement or lock timeout, serialization failure and deadlock,
    // insufficient resources, a read-only (standby) server, system errors.
    for (const char* unavailable : {"08", "57", "55P03", "40", "53", "25006", "58"}) {
        if (startsWith(state, unavailable)) throw DatabaseUnavailable("PostgreSQL: " + what);
    }
    if (state == nullptr) throw DatabaseUnavailable("PostgreSQL: " + what);  // nothing reached the server
    throw std::runtime_error("PostgreSQL error " + std::string(state) + " in " + what);
}

void runPostgresScript(pg_conn* conn, const std::string& sql) {
    Result result(PQexec(conn, sql.c_str()));
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throwPostgresError(conn, result.get(), "running \"" + sql + "\"");
}

PgStatements::PgStatements(pg_conn* conn, std::size_t capacity) : _conn(conn), _capacity(capacity) {}

const std::string& PgStatements::prepare(const std::string& sql) {
    auto found = _names.find(sql);
    if (found != _names.end()) return found->second;
    if (_names.size() >= _capacity) {
        // Rare (lists filtered in many different ways): start again rather than track recency.
        runPostgresScript(_conn, "DEALLOCATE ALL");
        _names.clear();
    }
    std::string name = "appreg_" + std::to_string(++_serial);
    Result prepared(PQprepare(_conn, name.c_str(), dialect::toPostgresPlaceholders(sql).c_str(), 0, nullptr));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
        throwPostgresError(_conn, prepared.get(), "preparing \"" + sql + "\"");
    return _names.emplace(sql, std::move(name)).first->second;
}

void PgStatements::forget(pg_conn* conn) {
    _conn = conn;
    _names.clear();
}

std::string readPasswordFile(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) throw std::runtime_error("cannot read the password file " + path);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw std::runtime_error("the password file " + path + " is empty");
    return line;
}

std::string postgresConnectionString(const DatabaseOptions& options) {
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(options.path.c_str(), &error);
    if (parsed == nullptr) {
        std::string why = error ? error : "out of memory";
        PQfreemem(error);
        while (!why.empty() && why.back() == '\n') why.pop_back();
        throw std::invalid_argument("the PostgreSQL URL is not valid: " + why);
    }
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> owned(parsed, PQconninfoFree);
    std::vector<std::pair<std::string, std::string>> values;
    bool hasTimeout = false;
    for (PQconninfoOption* o = parsed; o->keyword; ++o) {
        if (o->val == nullptr) continue;
        if (std::strcmp(o->keyword, "password") == 0 && !options.passwordFile.empty()) continue;
        hasTimeout = hasTimeout || std::strcmp(o->keyword, "connect_timeout") == 0;
        values.emplace_back(o->keyword, o->val);
    }
    if (!options.passwordFile.empty())
        values.emplace_back("password", readPasswordFile(options.passwordFile));
    if (!hasTimeout) values.emplace_back("connect_timeout", std::to_string(options.connectTimeoutS));
    values.emplace_back("application_name", "appreg");
    std::string out;
    for (const auto& [key, value] : values) {
        if (value.empty() || value.find_first_of(" \t\r\n'\"\\") != std::string::npos) {
            throw std::invalid_argument("the PostgreSQL setting " + key +
                                        " is empty or holds white space, quotes or backslashes, which Poco's "
                                        "PostgreSQL connector cannot pass on");
        }
        if (!out.empty()) out += ' ';
        out += key + "=" + value;
    }
    return out;
}

}  // namespace appreg::store
