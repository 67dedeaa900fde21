#pragma once

#include <optional>

#include <Poco/JSON/Object.h>

#include "appreg/domain/Access.h"
#include "appreg/http/ApiError.h"
#include "appreg/store/Visibility.h"

namespace appreg::api {

/// The 403 of every refused permission (awx-reference.md §4.4).
extern const char* const kPermissionDenied;
http::ApiError permissionDenied();

/// Throws permissionDenied() unless `allowed`.
void require(bool allowed);

/// What the caller's lists are narrowed to; none for superusers and system auditors.
std::optional<store::Visibility> visibilityOf(const domain::Caller& caller);

/// AWX's check of `organization` in a non-superuser's application body before validation (awx-reference.md
/// §3.6): a value that is no pk is 400 "Bad data found in related field organization.", a missing
/// organization 400 "Organization matching query does not exist.", one the caller does not administer (or
/// none) 403. `exists` answers whether an organization exists.
void checkOrganizationForApplication(const domain::Caller& caller, const Poco::JSON::Object& body,
                                     const std::function<bool(std::int64_t)>& exists);

}  // namespace appreg::api
