#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "appreg/domain/Application.h"
#include "appreg/domain/Organization.h"

namespace appreg::api {

/// What the caller may do with an object (`summary_fields.user_capabilities`).
struct UserCapabilities {
    bool edit = true;
    bool remove = true;
};

/// `summary_fields.tokens` of an application: the count of all its tokens and up to 10 of them.
struct TokenSummary {
    struct Entry {
        std::int64_t id;
        std::string scope;
    };
    std::int64_t count = 0;
    std::vector<Entry> results;
};

/// The text AWX shows instead of a stored secret.
extern const char* const kCensored;

/// The AWX JSON of an application, keys in AWX's serializer order. `clearSecret` is given only in the 201 of
/// the create; otherwise a confidential app shows "************" and a public app has no client_secret key.
Poco::JSON::Object::Ptr renderApplication(const domain::Application& app, const domain::Organization& org,
                                          const std::optional<std::string>& clearSecret,
                                          const UserCapabilities& caps, const TokenSummary& tokens);

/// The AWX JSON of an organization.
Poco::JSON::Object::Ptr renderOrganization(const domain::Organization& org, const UserCapabilities& caps);

/// `changes` of an application's activity-stream create/delete entry: every writable field plus id, the
/// organization as "<name>-<id>", never the secret (awx-reference.md §5.2).
Poco::JSON::Object::Ptr applicationChanges(const domain::Application& app, const domain::Organization& org);

/// `changes` of an organization's create/delete entry.
Poco::JSON::Object::Ptr organizationChanges(const domain::Organization& org);

/// `/api/v2/applications/<id>/` and friends: every URL the API renders is built here.
std::string applicationUrl(std::int64_t id);
std::string organizationUrl(std::int64_t id);

}  // namespace appreg::api
