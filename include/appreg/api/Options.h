#pragma once

#include <string>

#include "appreg/domain/FieldTable.h"
#include "appreg/http/Response.h"

namespace appreg::api {

/// What an OPTIONS response describes: the view's name and description, the field table, and which write
/// action it offers (POST on a list, PUT on a detail, or none).
struct OptionsView {
    std::string name;         ///< "OAuth 2 Applications"
    std::string description;  ///< one paragraph
    std::string typeName;     ///< "o_auth2_application"
    const domain::FieldTable* table = nullptr;
    enum class Write { None, Post, Put } write = Write::None;
    bool list = true;  ///< lists also report search_fields and max_page_size
};

/// AWX's metadata shape (awx-reference.md §4.5): name, description, renders, parses, actions{GET, POST|PUT}
/// with per-field type, label, required, default, choices, max_length, help_text, filterable; types,
/// search_fields, max_page_size. All of it comes from the field table.
http::Response optionsResponse(const OptionsView& view);

}  // namespace appreg::api
