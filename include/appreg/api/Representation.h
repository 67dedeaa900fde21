#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "appreg/http/Json.h"

#include "appreg/domain/ActivityEntry.h"
#include "appreg/domain/Application.h"
#include "appreg/domain/Organization.h"
#include "appreg/domain/Token.h"
#include "appreg/domain/User.h"
#include "appreg/store/ActivityStreamStore.h"
#include "appreg/store/TokenStore.h"

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
http::json::Raw renderApplication(const domain::Application& app, const domain::Organization& org,
                                  const std::optional<std::string>& clearSecret, const UserCapabilities& caps,
                                  const TokenSummary& tokens);

/// The AWX JSON of an organization.
Poco::JSON::Object::Ptr renderOrganization(const domain::Organization& org, const UserCapabilities& caps);

/// `changes` of an application's activity-stream create/delete entry: every writable field plus id, the
/// organization as "<name>-<id>", never the secret (awx-reference.md §5.2).
Poco::JSON::Object::Ptr applicationChanges(const domain::Application& app, const domain::Organization& org);

/// stringify(applicationChanges(app, org)) made in two steps, for a create: the text without the id (the last
/// key), before the write, and then the id appended by withChangedId inside it. The single writer thread
/// bounds creates per second, and building and writing that JSON was a tenth of its time (issue 7).
std::string applicationChangesWithoutId(const domain::Application& app, const domain::Organization& org);
std::string withChangedId(std::string changesWithoutId, std::int64_t id);

/// `changes` of an organization's create/delete entry.
Poco::JSON::Object::Ptr organizationChanges(const domain::Organization& org);

/// The AWX JSON of an access token. `clearToken`/`clearRefresh` are given only in the 201 that creates it;
/// otherwise both show "************" (refresh_token is null when the token has none).
Poco::JSON::Object::Ptr renderToken(const store::TokenRow& row, const std::optional<std::string>& clearToken,
                                    const std::optional<std::string>& clearRefresh);

/// The AWX JSON of a user; `password` shows "$encrypted$".
Poco::JSON::Object::Ptr renderUser(const domain::User& user, const UserCapabilities& caps);

/// `changes` of a user's create/delete entry: every writable field but the password, plus id.
Poco::JSON::Object::Ptr userChanges(const domain::User& user);

/// `changes` of a token's create/delete entry: the token censored, the application by name.
Poco::JSON::Object::Ptr tokenChanges(const domain::Token& token,
                                     const std::optional<std::string>& applicationName);

/// The AWX JSON of an activity-stream entry. The linked object shows in related/summary_fields only while it
/// exists, and never for a delete; the actor while it exists (a deleted actor shows with id null).
Poco::JSON::Object::Ptr renderActivity(const store::ActivityRow& row, const std::string& nodeName);

/// `changes` of an update entry: `{field: [old, new]}` for each key whose value differs, in `before`'s order.
/// Empty when nothing changed (then no entry is written).
Poco::JSON::Object::Ptr changedValues(const Poco::JSON::Object::Ptr& before,
                                      const Poco::JSON::Object::Ptr& after);

/// `/api/v2/applications/<id>/` and friends: every URL the API renders is built here.
std::string applicationUrl(std::int64_t id);
std::string organizationUrl(std::int64_t id);
std::string tokenUrl(std::int64_t id);
std::string activityUrl(std::int64_t id);
std::string userUrl(std::int64_t id);

}  // namespace appreg::api
