#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "appreg/domain/FieldTable.h"

namespace appreg::domain {

/// An OAuth2 access token as stored: the token and its refresh token exist only as SHA-256 digests.
struct Token {
    std::int64_t id = 0;
    std::string description;
    std::optional<std::int64_t> userId;
    std::optional<std::int64_t> applicationId;  ///< none for a personal token
    std::string tokenDigest;
    std::optional<std::string> refreshTokenDigest;
    std::string scope = "write";
    std::string expires;
    std::string created;
    std::string modified;
};

constexpr std::size_t kTokenLength = 30;

/// The fields of an access token in AWX's serializer order (awx-reference.md §5.1).
const FieldTable& tokenFields();

/// The message for a scope that is not a space-separated set of `read`/`write` without duplicates.
extern const char* const kInvalidScope;

/// Whether `scope` is a valid scope: a non-empty, space-separated set of "read" and "write" with no
/// duplicates.
bool validScope(const std::string& scope);

/// The token's field values by field name (no secret: the token and refresh token exist only as digests).
FieldValues tokenValues(const Token& token);

/// Copies validated values onto a token.
void applyTokenValues(const FieldValues& values, Token& token);

}  // namespace appreg::domain
