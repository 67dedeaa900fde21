#pragma once

#include <cstdint>
#include <string>

#include "appreg/domain/FieldTable.h"

namespace appreg::domain {

/// An organization: the owner of applications (API.md §6).
struct Organization {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::string created;
    std::string modified;
};

/// The writable fields of an organization: `name` (required, not blank, max 512, unique) and `description`.
const FieldTable& organizationFields();

/// The organization's field values by field name.
FieldValues organizationValues(const Organization& org);

/// Copies validated values onto an organization.
void applyOrganizationValues(const FieldValues& values, Organization& org);

}  // namespace appreg::domain
