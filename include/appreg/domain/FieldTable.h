#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

namespace appreg::domain {

/// The JSON type of a field, as OPTIONS reports it ("string", "choice", "boolean", "id", "integer",
/// "datetime", "object", "field").
enum class FieldType { String, Choice, Boolean, PrimaryKey, Integer, DateTime, Object, Field };

/// The name OPTIONS gives a field type.
const char* fieldTypeName(FieldType type);

/// One allowed value of a choice field and its human label.
struct Choice {
    std::string value;
    std::string label;
};

/// Everything the API knows about one field of a resource, declared once (STYLE.md): it drives validation,
/// rendering order, OPTIONS metadata, the filter and order_by whitelist, search, and the SQL column list.
/// A field without a column is computed when rendered (type, url, related, summary_fields).
struct FieldSpec {
    std::string name;
    FieldType type = FieldType::String;
    std::string label;
    std::string helpText;
    bool required = false;            ///< on create and on PUT
    bool readOnly = false;            ///< rendered, never written by clients (writes are silently ignored)
    bool readOnlyOnUpdate = false;    ///< written on create, silently ignored on PUT/PATCH
    bool allowBlank = true;           ///< strings: whether "" (after trimming) is accepted
    bool keepOnPut = false;           ///< when PUT omits it, the stored value stays (AWX's redirect_uris)
    std::size_t maxLength = 0;        ///< strings: in characters; 0 = unlimited
    Poco::Dynamic::Var defaultValue;  ///< empty = no default
    std::vector<Choice> choices;      ///< choice fields
    std::string column;               ///< SQL column; for PrimaryKey the FK column
    std::string relatedModel;         ///< PrimaryKey: the model name in messages ("Organization")
    bool searchable = false;          ///< matched by ?search= (icontains)
    bool preventSearch = false;       ///< filtering or ordering on it is 403 (AWX's prevent_search: secrets)
    bool nullable = true;  ///< optional fields: null means the default; if false, null is validated as ""
    /// Strings: a check after the built-in ones; returns the message of a failure.
    std::function<std::optional<std::string>(const std::string&)> validator;

    bool stored() const { return !column.empty(); }
};

/// Field errors in field order, then `__all__`: the 400 body of a validation failure.
class FieldErrors {
public:
    void add(const std::string& field, const std::string& message);
    bool empty() const { return _errors.empty(); }
    bool has(const std::string& field) const;
    /// `{"field": ["message", ...], ...}` in the order the fields were first added.
    Poco::JSON::Object::Ptr toJson() const;
    const std::vector<std::pair<std::string, std::vector<std::string>>>& items() const { return _errors; }

private:
    std::vector<std::pair<std::string, std::vector<std::string>>> _errors;
};

/// Validated field values by field name: std::string, bool or std::int64_t (primary keys) in a Var.
using FieldValues = std::map<std::string, Poco::Dynamic::Var>;

/// Which kind of write a body is validated for: POST, PUT (full) or PATCH (partial).
enum class WriteMode { Create, Replace, Partial };

/// Answers whether a related object exists; the API layer binds it to a store.
using ExistsCheck = std::function<bool(const std::string& relatedModel, std::int64_t id)>;

/// The ordered writable fields of one resource.
class FieldTable {
public:
    explicit FieldTable(std::vector<FieldSpec> fields) : _fields(std::move(fields)) {}

    const std::vector<FieldSpec>& fields() const { return _fields; }
    /// The fields a client may write (not read-only), in order.
    std::vector<const FieldSpec*> writableFields() const;
    const FieldSpec* find(const std::string& name) const;

    /// Validates a JSON object body field by field, collecting every error in field order, with DRF's
    /// messages and the decisions of API.md §2. Missing fields get their defaults on Create (and on Replace
    /// unless keepOnPut); on Partial only the fields present are returned. Unknown keys are ignored.
    FieldValues validate(const Poco::JSON::Object& body, WriteMode mode, const ExistsCheck& exists,
                         FieldErrors& errors) const;

private:
    std::vector<FieldSpec> _fields;
};

/// The fields every AWX resource starts with, in AWX's order: id, type, url, related, summary_fields and,
/// when `timestamps`, created and modified. `noun` words the help texts ("application");
/// `typeName`/`typeLabel` are the one choice of `type`.
std::vector<FieldSpec> commonFields(const std::string& noun, const std::string& typeName,
                                    const std::string& typeLabel, bool timestamps = true);

/// `first` followed by `rest`: a resource's table is its common fields plus its own.
std::vector<FieldSpec> concatFields(std::vector<FieldSpec> first, std::vector<FieldSpec> rest);

/// Python's str() of a JSON value (True, None, 1.5, [1, 'a'], {'k': 1}): AWX quotes it in choice errors.
std::string pythonStr(const Poco::Dynamic::Var& value);

/// Number of Unicode code points in a valid UTF-8 string.
std::size_t utf8Length(const std::string& s);

/// The string without leading and trailing whitespace.
std::string trim(const std::string& s);

}  // namespace appreg::domain
