#include "appreg/api/Options.h"

#include <Poco/JSON/Array.h>

#include "appreg/domain/ListQuery.h"
#include "appreg/http/Json.h"

namespace appreg::api {

using http::json::newObject;

namespace {

Poco::JSON::Object::Ptr fieldInfo(const domain::FieldSpec& f, bool forWrite) {
    auto info = newObject();
    info->set("type", domain::fieldTypeName(f.type));
    if (forWrite) info->set("required", f.required);
    info->set("label", f.label);
    if (!f.helpText.empty()) info->set("help_text", f.helpText);
    if (f.maxLength > 0) info->set("max_length", static_cast<int>(f.maxLength));
    if (forWrite && !f.defaultValue.isEmpty()) info->set("default", f.defaultValue);
    if (!f.choices.empty()) {
        Poco::JSON::Array::Ptr choices = new Poco::JSON::Array();
        for (const auto& c : f.choices) {
            Poco::JSON::Array::Ptr pair = new Poco::JSON::Array();
            pair->add(c.value);
            pair->add(c.label);
            choices->add(pair);
        }
        info->set("choices", choices);
    }
    info->set("filterable", f.stored() && !f.preventSearch);
    return info;
}

}  // namespace

http::Response optionsResponse(const OptionsView& view) {
    auto body = newObject();
    body->set("name", view.name);
    body->set("description", view.description);
    Poco::JSON::Array::Ptr renders = new Poco::JSON::Array();
    renders->add("application/json");
    renders->add("text/html");
    body->set("renders", renders);
    Poco::JSON::Array::Ptr parses = new Poco::JSON::Array();
    parses->add("application/json");
    body->set("parses", parses);

    auto actions = newObject();
    auto get = newObject();
    for (const auto& f : view.table->fields()) get->set(f.name, fieldInfo(f, false));
    actions->set("GET", get);
    if (view.write != OptionsView::Write::None) {
        bool put = view.write == OptionsView::Write::Put;
        auto write = newObject();
        for (const auto* f : view.table->writableFields()) {
            if (put && f->readOnlyOnUpdate) continue;
            write->set(f->name, fieldInfo(*f, true));
        }
        actions->set(put ? "PUT" : "POST", write);
    }
    body->set("actions", actions);

    Poco::JSON::Array::Ptr types = new Poco::JSON::Array();
    types->add(view.typeName);
    body->set("types", types);
    if (view.list) {
        Poco::JSON::Array::Ptr search = new Poco::JSON::Array();
        for (const auto& f : view.table->fields()) {
            if (f.searchable) search->add(f.name);
        }
        body->set("search_fields", search);
        body->set("related_search_fields", Poco::JSON::Array::Ptr(new Poco::JSON::Array()));  // none offered
        body->set("max_page_size", domain::kMaxPageSize);
    }
    return http::Response::json(200, body);
}

}  // namespace appreg::api
