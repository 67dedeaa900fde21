#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "appreg/domain/ListQuery.h"
#include "appreg/domain/Token.h"
#include "appreg/store/Database.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

/// A token with the name of its application, for summary_fields.
struct TokenRow {
    domain::Token token;
    std::optional<std::string> applicationName;
    std::optional<std::int64_t> applicationOrganizationId;
    /// The owner's username, first and last name (summary_fields.user), while the owner exists.
    std::optional<std::string> username;
    std::string userFirstName;
    std::string userLastName;
};

/// `summary_fields.tokens` of one application: the count of all its tokens and the first 10 (id, scope).
struct TokenSummaryRow {
    std::int64_t count = 0;
    std::vector<std::pair<std::int64_t, std::string>> first;
};

/// Rows of the `tokens` table.
class TokenStore {
public:
    explicit TokenStore(Connection& connection) : _connection(connection) {}

    std::optional<TokenRow> find(std::int64_t id);
    /// The token whose access token has this SHA-256 digest (Bearer authentication).
    std::optional<TokenRow> findByDigest(const std::string& tokenDigest);
    /// The token whose refresh token has this SHA-256 digest.
    std::optional<TokenRow> findByRefreshDigest(const std::string& refreshDigest);
    /// Inserts the token (inside the caller's WriteTransaction) and returns its id.
    std::int64_t insert(const domain::Token& token);
    /// Writes description, scope and modified.
    void update(const domain::Token& token);
    void remove(std::int64_t id);

    /// With a visibility, only the caller's own tokens and those of applications of organizations they
    /// administer.
    std::int64_t count(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                       std::optional<std::int64_t> applicationId = std::nullopt);
    std::vector<TokenRow> page(const domain::ListQuery& query, std::int64_t offset, int limit,
                               const std::optional<Visibility>& visibility,
                               std::optional<std::int64_t> applicationId = std::nullopt);

    /// The token summaries of several applications in two queries (a list page must not cost a query per
    /// row).
    std::map<std::int64_t, TokenSummaryRow> summaries(const std::vector<std::int64_t>& applicationIds);

private:
    Connection& _connection;
};

/// How lists reach tokens.
const domain::ListResource& tokenListResource();

}  // namespace appreg::store
