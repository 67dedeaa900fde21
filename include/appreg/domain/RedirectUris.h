#pragma once

#include <optional>
#include <string>

namespace appreg::domain {

/// DOT 1.7.1's `AbstractApplication.clean()` for redirect_uris (awx-reference.md §3.4): the value is split on
/// whitespace and each URI checked in order; only the first failure is reported. Returns the `__all__`
/// message, or nothing when the value is acceptable for the grant type.
std::optional<std::string> checkRedirectUris(const std::string& redirectUris, const std::string& grantType);

}  // namespace appreg::domain
