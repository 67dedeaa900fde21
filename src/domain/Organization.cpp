#include "appreg/domain/Organization.h"

namespace appreg::domain {

const FieldTable& organizationFields() {
    static const FieldTable table({
        {.name = "id", .type = FieldType::Integer, .label = "ID", .helpText = "Database ID for this organization.",
         .readOnly = true, .column = "id"},
        {.name = "type", .type = FieldType::Choice, .label = "Type", .helpText = "Data type for this organization.",
         .readOnly = true, .choices = {{"organization", "Organization"}}},
        {.name = "url", .type = FieldType::String, .label = "Url", .helpText = "URL for this organization.",
         .readOnly = true},
        {.name = "related", .type = FieldType::Object, .label = "Related",
         .helpText = "Data structure with URLs of related resources.", .readOnly = true},
        {.name = "summary_fields", .type = FieldType::Object, .label = "Summary fields",
         .helpText = "Data structure with name/description for related resources.  The output for some objects "
                     "may be limited for performance reasons.",
         .readOnly = true},
        {.name = "created", .type = FieldType::DateTime, .label = "Created",
         .helpText = "Timestamp when this organization was created.", .readOnly = true, .column = "created"},
        {.name = "modified", .type = FieldType::DateTime, .label = "Modified",
         .helpText = "Timestamp when this organization was last modified.", .readOnly = true, .column = "modified"},
        {.name = "name", .type = FieldType::String, .label = "Name", .helpText = "Name of this organization.",
         .required = true, .allowBlank = false, .maxLength = 512, .column = "name", .searchable = true},
        {.name = "description", .type = FieldType::String, .label = "Description",
         .helpText = "Optional description of this organization.", .defaultValue = std::string(),
         .column = "description", .searchable = true},
    });
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
