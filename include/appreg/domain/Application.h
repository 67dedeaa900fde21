#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "appreg/domain/FieldTable.h"

namespace appreg::domain {

/// An OAuth2 application as stored. The secret exists only as its salted digest.
struct Application {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::string clientId;
    std::string clientSecretHash;
    std::string clientType;
    std::string redirectUris;
    std::string authorizationGrantType;
    bool skipAuthorization = false;
    std::int64_t organizationId = 0;
    std::string created;
    std::string modified;
};

constexpr std::size_t kClientIdLength = 40;
constexpr std::size_t kClientSecretLength = 128;

/// The writable fields of an application in AWX's serializer order (awx-reference.md §1), with API.md's
/// decisions.
const FieldTable& applicationFields();

/// The model-level checks that run after every field passed (DOT's clean()): the `__all__` messages, in
/// order. Uniqueness of (name, organization) is the store's, since only the database can decide it race-free.
std::vector<std::string> cleanApplication(const Application& app);

/// The application's field values by field name (everything but the secret, which exists only hashed).
FieldValues applicationValues(const Application& app);

/// Copies validated values onto an application (new or existing).
void applyApplicationValues(const FieldValues& values, Application& app);

}  // namespace appreg::domain
