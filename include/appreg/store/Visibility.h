#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>

namespace appreg::store {

/// What a caller who does not read everything may see in a list: the stores turn it into a condition.
/// Lists take `std::optional<Visibility>`; none means every row (superusers and system auditors).
struct Visibility {
    std::int64_t userId = 0;
    std::set<std::int64_t> organizations;       ///< where the caller is a member or an admin
    std::set<std::int64_t> adminOrganizations;  ///< where the caller is an admin
};

/// "?, ?, ?" for `n` values ("NULL" for none, so that `IN (NULL)` matches nothing).
std::string placeholders(std::size_t n);

/// The ids as bound values, in order.
std::vector<Poco::Dynamic::Var> bindValues(const std::set<std::int64_t>& ids);

}  // namespace appreg::store
