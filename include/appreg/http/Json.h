#pragma once

#include <optional>
#include <string>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace appreg::http::json {

/// Deepest nesting of arrays and objects a request body may have.
constexpr int kMaxDepth = 32;

/// Checks that `text` is one strict RFC 8259 JSON value in valid UTF-8, nested at most `maxDepth` deep,
/// whose integers fit in a signed 64-bit integer and whose numbers are finite doubles.
/// Returns nothing when it is, else the reason and position, e.g. "Expecting value: line 1 column 1 (char
/// 0)". Poco's parser silently wraps 2^64 to 0 and reports positions nowhere; this check runs first so
/// neither matters.
std::optional<std::string> syntaxError(const std::string& text, int maxDepth = kMaxDepth);

/// Whether `text` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool validUtf8(const std::string& text);

/// Parses a request body: an empty body is `{}`, `null` is an empty Var, any other value is returned as
/// parsed (a body of only whitespace is malformed). Throws ApiError 400 `{"detail": "JSON parse error -
/// <reason>"}` on anything malformed.
Poco::Dynamic::Var parseBody(const std::string& body);

/// A new JSON object that keeps its keys in insertion order (responses follow AWX's field order).
Poco::JSON::Object::Ptr newObject();
/// A new JSON array.
Poco::JSON::Array::Ptr newArray();

/// Compact serialisation of a JSON value.
std::string stringify(const Poco::Dynamic::Var& value);

}  // namespace appreg::http::json
