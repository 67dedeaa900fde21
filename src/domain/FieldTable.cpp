#include "appreg/domain/FieldTable.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <Poco/JSON/Array.h>

namespace appreg::domain {

namespace {

bool isInteger(const Poco::Dynamic::Var& v) {
    return v.isInteger() && !v.isBoolean();
}

bool isFloat(const Poco::Dynamic::Var& v) {
    return v.type() == typeid(double) || v.type() == typeid(float);
}

bool isArray(const Poco::Dynamic::Var& v) {
    return v.type() == typeid(Poco::JSON::Array::Ptr) || v.isArray();
}

bool isObject(const Poco::Dynamic::Var& v) {
    return v.type() == typeid(Poco::JSON::Object::Ptr) || v.isStruct();
}

std::string pythonFloat(double d) {
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[40];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    std::string s = buf;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    // Python writes 1e+20 and 1e-05 as 1e+20 and 1e-05 too; only the missing ".0" differs.
    return s;
}

std::string pythonRepr(const Poco::Dynamic::Var& v);

std::string pythonCompound(const Poco::Dynamic::Var& v) {
    if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
        auto arr = v.extract<Poco::JSON::Array::Ptr>();
        std::string out = "[";
        for (std::size_t i = 0; i < arr->size(); ++i) {
            if (i) out += ", ";
            out += pythonRepr(arr->get(static_cast<unsigned>(i)));
        }
        return out + "]";
    }
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
        auto obj = v.extract<Poco::JSON::Object::Ptr>();
        std::string out = "{";
        bool first = true;
        for (const auto& name : obj->getNames()) {
            if (!first) out += ", ";
            first = false;
            out += pythonRepr(Poco::Dynamic::Var(name)) + ": " + pythonRepr(obj->get(name));
        }
        return out + "}";
    }
    return v.convert<std::string>();
}

std::string pythonRepr(const Poco::Dynamic::Var& v) {
    if (v.isString()) {
        std::string s = v.extract<std::string>();
        std::string out = "'";
        for (char c : s) {
            if (c == '\'' || c == '\\') out += '\\';
            out += c;
        }
        return out + "'";
    }
    return pythonStr(v);
}

/// Python's int() of a string: optional whitespace, an optional sign, then decimal digits.
bool parseIntString(const std::string& raw, std::int64_t& out, bool& overflow) {
    std::string s = trim(raw);
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == s.size()) return false;
    for (std::size_t j = i; j < s.size(); ++j) {
        if (s[j] < '0' || s[j] > '9') return false;
    }
    errno = 0;
    out = std::strtoll(s.c_str(), nullptr, 10);
    overflow = errno == ERANGE;
    return true;
}

const char* pythonTypeName(const Poco::Dynamic::Var& v) {
    if (v.isBoolean()) return "bool";
    if (isFloat(v)) return "float";
    if (v.isString()) return "str";
    if (isArray(v)) return "list";
    if (isObject(v)) return "dict";
    return "NoneType";
}

void validateString(const FieldSpec& f, const Poco::Dynamic::Var& v, FieldValues& out, FieldErrors& errors) {
    if (!v.isString()) {
        errors.add(f.name, "Not a valid string.");
        return;
    }
    std::string s = trim(v.extract<std::string>());
    if (s.empty() && !f.allowBlank) {
        errors.add(f.name, "This field may not be blank.");
        return;
    }
    bool ok = true;
    if (f.maxLength > 0 && utf8Length(s) > f.maxLength) {
        errors.add(f.name, "Ensure this field has no more than " + std::to_string(f.maxLength) + " characters.");
        ok = false;
    }
    if (s.find('\0') != std::string::npos) {
        errors.add(f.name, "Null characters are not allowed.");
        ok = false;
    }
    if (ok && f.validator) {
        if (auto message = f.validator(s)) {
            errors.add(f.name, *message);
            ok = false;
        }
    }
    if (ok) out[f.name] = s;
}

void validateChoice(const FieldSpec& f, const Poco::Dynamic::Var& v, FieldValues& out, FieldErrors& errors) {
    std::string shown = pythonStr(v);
    if (v.isString()) {
        for (const auto& c : f.choices) {
            if (c.value == shown) {
                out[f.name] = shown;
                return;
            }
        }
    }
    errors.add(f.name, "\"" + shown + "\" is not a valid choice.");
}

void validateBoolean(const FieldSpec& f, const Poco::Dynamic::Var& v, FieldValues& out, FieldErrors& errors) {
    if (v.isBoolean()) {
        out[f.name] = v.extract<bool>();
        return;
    }
    if (isInteger(v) || isFloat(v)) {
        double d = v.convert<double>();
        if (d == 1 || d == 0) {
            out[f.name] = d == 1;
            return;
        }
    } else if (v.isString()) {
        std::string s = v.extract<std::string>();
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (s == "true" || s == "t" || s == "y" || s == "yes" || s == "on" || s == "1") {
            out[f.name] = true;
            return;
        }
        if (s == "false" || s == "f" || s == "n" || s == "no" || s == "off" || s == "0" || s.empty() ||
            s == "null") {
            out[f.name] = false;
            return;
        }
    }
    errors.add(f.name, "Must be a valid boolean.");
}

void validatePrimaryKey(const FieldSpec& f, const Poco::Dynamic::Var& v, const ExistsCheck& exists,
                        FieldValues& out, FieldErrors& errors) {
    std::int64_t id = 0;
    bool overflow = false;
    std::string shown;
    if (isInteger(v)) {
        id = v.convert<std::int64_t>();
        shown = std::to_string(id);
    } else if (v.isString()) {
        shown = v.extract<std::string>();
        if (trim(shown).empty()) {
            errors.add(f.name, "This field may not be null.");  // DRF treats "" as null for related fields
            return;
        }
        if (!parseIntString(shown, id, overflow)) {
            errors.add(f.name, "Incorrect type. Expected pk value, received str.");
            return;
        }
    } else {
        errors.add(f.name, std::string("Incorrect type. Expected pk value, received ") + pythonTypeName(v) + ".");
        return;
    }
    if (overflow || id <= 0 || !exists(f.relatedModel, id)) {
        errors.add(f.name, "Invalid pk \"" + shown + "\" - object does not exist.");
        return;
    }
    out[f.name] = id;
}

}  // namespace

void FieldErrors::add(const std::string& field, const std::string& message) {
    for (auto& e : _errors) {
        if (e.first == field) {
            e.second.push_back(message);
            return;
        }
    }
    _errors.push_back({field, {message}});
}

bool FieldErrors::has(const std::string& field) const {
    for (const auto& e : _errors) {
        if (e.first == field) return true;
    }
    return false;
}

Poco::JSON::Object::Ptr FieldErrors::toJson() const {
    Poco::JSON::Object::Ptr obj = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& e : _errors) {
        Poco::JSON::Array::Ptr arr = new Poco::JSON::Array();
        for (const auto& m : e.second) arr->add(m);
        obj->set(e.first, arr);
    }
    return obj;
}

const char* fieldTypeName(FieldType type) {
    switch (type) {
        case FieldType::String: return "string";
        case FieldType::Choice: return "choice";
        case FieldType::Boolean: return "boolean";
        case FieldType::PrimaryKey: return "id";
        case FieldType::Integer: return "integer";
        case FieldType::DateTime: return "datetime";
        case FieldType::Object: return "object";
        case FieldType::Field: return "field";
    }
    return "field";
}

std::vector<FieldSpec> commonFields(const std::string& noun, const std::string& typeName, const std::string& typeLabel,
                                    bool timestamps) {
    std::vector<FieldSpec> fields(timestamps ? 7 : 5);
    auto set = [](FieldSpec& f, const char* name, FieldType type, const char* label, const std::string& help) {
        f.name = name;
        f.type = type;
        f.label = label;
        f.helpText = help;
        f.readOnly = true;
    };
    set(fields[0], "id", FieldType::Integer, "ID", "Database ID for this " + noun + ".");
    fields[0].column = "id";
    set(fields[1], "type", FieldType::Choice, "Type", "Data type for this " + noun + ".");
    fields[1].choices = {{typeName, typeLabel}};
    set(fields[2], "url", FieldType::String, "Url", "URL for this " + noun + ".");
    set(fields[3], "related", FieldType::Object, "Related", "Data structure with URLs of related resources.");
    set(fields[4], "summary_fields", FieldType::Object, "Summary fields",
        "Data structure with name/description for related resources.  The output for some objects may be limited "
        "for performance reasons.");
    if (timestamps) {
        set(fields[5], "created", FieldType::DateTime, "Created", "Timestamp when this " + noun + " was created.");
        fields[5].column = "created";
        set(fields[6], "modified", FieldType::DateTime, "Modified",
            "Timestamp when this " + noun + " was last modified.");
        fields[6].column = "modified";
    }
    return fields;
}

std::vector<FieldSpec> concatFields(std::vector<FieldSpec> first, std::vector<FieldSpec> rest) {
    for (auto& f : rest) first.push_back(std::move(f));
    return first;
}

std::vector<const FieldSpec*> FieldTable::writableFields() const {
    std::vector<const FieldSpec*> out;
    for (const auto& f : _fields) {
        if (!f.readOnly) out.push_back(&f);
    }
    return out;
}

const FieldSpec* FieldTable::find(const std::string& name) const {
    for (const auto& f : _fields) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

FieldValues FieldTable::validate(const Poco::JSON::Object& body, WriteMode mode, const ExistsCheck& exists,
                                 FieldErrors& errors) const {
    FieldValues out;
    for (const auto& f : _fields) {
        if (f.readOnly || (mode != WriteMode::Create && f.readOnlyOnUpdate)) continue;
        if (!body.has(f.name)) {
            if (mode == WriteMode::Partial) continue;
            if (f.required) {
                errors.add(f.name, "This field is required.");
            } else if (!f.defaultValue.isEmpty() && !(mode == WriteMode::Replace && f.keepOnPut)) {
                out[f.name] = f.defaultValue;
            }
            continue;
        }
        Poco::Dynamic::Var v = body.get(f.name);
        if (v.isEmpty() && !f.required && !f.nullable) v = std::string();  // AWX's CharNullField: null is ""
        if (v.isEmpty()) {  // JSON null
            if (f.required) {
                errors.add(f.name, "This field may not be null.");
            } else if (!f.defaultValue.isEmpty()) {
                out[f.name] = f.defaultValue;  // AWX's null-tolerant fields turn null into their default
            }
            continue;
        }
        switch (f.type) {
            case FieldType::String: validateString(f, v, out, errors); break;
            case FieldType::Choice: validateChoice(f, v, out, errors); break;
            case FieldType::Boolean: validateBoolean(f, v, out, errors); break;
            case FieldType::PrimaryKey: validatePrimaryKey(f, v, exists, out, errors); break;
            default: break;  // read-only kinds are never validated
        }
    }
    return out;
}

std::string pythonStr(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return "None";
    if (v.isBoolean()) return v.extract<bool>() ? "True" : "False";
    if (v.isString()) return v.extract<std::string>();
    if (isFloat(v)) return pythonFloat(v.convert<double>());
    if (v.isInteger()) return v.convert<std::string>();
    return pythonCompound(v);
}

std::size_t utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string trim(const std::string& s) {
    const char* ws = " \t\n\r\f\v";
    auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

}  // namespace appreg::domain
