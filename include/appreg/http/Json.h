#pragma once

#include <cstdint>
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

/// JSON text already written (by a Writer), to be placed as it is inside a Poco object or array that
/// stringify() writes: the hot responses are written directly, and a list page still holds them in its
/// Poco array.
struct Raw {
    std::string text;
};

/// Compact serialisation of a JSON value (Poco objects and arrays in their insertion order, Raw as it is),
/// byte for byte what Poco::JSON::Stringifier::condense writes for the same value.
std::string stringify(const Poco::Dynamic::Var& value);

/// Writes compact JSON straight into a string, for the responses whose Poco object tree cost more than the
/// rest of the request (issue 7's profile). Keys and values alternate as called; commas are placed for you.
class Writer {
public:
    Writer& beginObject();
    Writer& endObject();
    Writer& beginArray();
    Writer& endArray();
    Writer& key(const std::string& name);
    Writer& value(const std::string& text);
    Writer& value(const char* text) { return value(std::string(text)); }
    Writer& value(std::int64_t number);
    Writer& value(bool flag);
    Writer& null();
    /// The text written so far (complete once every object and array is ended).
    std::string& text() { return _out; }

private:
    std::string _out;
    bool _needComma = false;  ///< a value was just written at the current level

    void separate();
};

}  // namespace appreg::http::json
