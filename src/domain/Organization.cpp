#include "appreg/domain/Organization.h"

namespace appreg::domain {

const FieldTable& organizationFields() {
    static const FieldTable table(concatFields(commonFields("organization", "organization", "Organization"), {
        {.name = "name", .type = FieldType::String, .label = "Name", .helpText = "Name of this organization.",
         .required = true, .allowBlank = false, .maxLength = 512, .column = "name", .searchable = true},
        {.name = "description", .type = FieldType::String, .label = "Description",
         .helpText = "Optional description of this organization.", .defaultValue = std::string(),
         .column = "description", .searchable = true},
    }));
    return table;
}

FieldValues organizationValues(const Organization& org) {
    return {{"id", org.id},
            {"created", org.created},
            {"modified", org.modified},
            {"name", org.name},
            {"description", org.description}};
}

void applyOrganizationValues(const FieldValues& values, Organization& org) {
    for (const auto& [name, value] : values) {
        if (name == "name") org.name = value.extract<std::string>();
        else if (name == "description") org.description = value.extract<std::string>();
    }
}

}  // namespace appreg::domain
