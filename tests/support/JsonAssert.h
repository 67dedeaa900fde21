#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cppunit/SourceLine.h>

#include <string>
#include <vector>

namespace appreg::test {

/// JSON helpers for response bodies. Parsing keeps the key order of objects (Poco's default handler sorts
/// them), so tests can check the order AWX clients see.
class JsonAssert {
public:
    /// Parses a body that must be one JSON object; throws std::runtime_error (with the body) otherwise.
    static Poco::JSON::Object::Ptr parseObject(const std::string& body);

    /// The keys of an object, in document order.
    static std::vector<std::string> keys(const Poco::JSON::Object::Ptr& object);

    /// A parsed value (object, array, scalar) as JSON text, key order kept.
    static std::string toJson(const Poco::Dynamic::Var& value);

    /// Re-serialises a JSON text with its key order kept, so two documents compare equal only when they have
    /// the same keys in the same order, the same values and the same types.
    static std::string canonical(const std::string& json);

    /// Fails (at `line`) unless `actual` is the JSON document `expected`, key order included.
    static void assertEqual(const std::string& expected, const std::string& actual,
                            const CppUnit::SourceLine& line, const std::string& context = "");

    /// Fails unless the object's keys are exactly `expected`, in this order.
    static void assertKeys(const std::vector<std::string>& expected, const Poco::JSON::Object::Ptr& object,
                           const CppUnit::SourceLine& line);

    /// `object` (a JSON object text) with `key` set to the JSON value `valueJson` (kept in place if present,
    /// appended otherwise). Both are parsed with Poco, which wraps integers beyond 64 bits: write bodies with
    /// such numbers as text.
    static std::string with(const std::string& object, const std::string& key, const std::string& valueJson);
    /// `object` without `key`.
    static std::string without(const std::string& object, const std::string& key);
    /// A JSON string literal for `text` (quotes and escapes added).
    static std::string quote(const std::string& text);
    /// Joins strings for messages: "[a, b, c]".
    static std::string join(const std::vector<std::string>& items);
};

}  // namespace appreg::test

/// Asserts that a response body is exactly the expected JSON document (order of keys included).
#define APPREG_ASSERT_JSON(expected, actual) \
    ::appreg::test::JsonAssert::assertEqual((expected), (actual), CPPUNIT_SOURCELINE())

/// Same, with context (e.g. the request) in the failure message.
#define APPREG_ASSERT_JSON_MESSAGE(context, expected, actual) \
    ::appreg::test::JsonAssert::assertEqual((expected), (actual), CPPUNIT_SOURCELINE(), (context))

/// Asserts the exact key list (in order) of a parsed object.
#define APPREG_ASSERT_KEYS(expected, object) \
    ::appreg::test::JsonAssert::assertKeys((expected), (object), CPPUNIT_SOURCELINE())
