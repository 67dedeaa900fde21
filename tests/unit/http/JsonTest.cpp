#include <cppunit/extensions/HelperMacros.h>

#include <limits>
#include <sstream>

#include <Poco/JSON/Stringifier.h>

#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

using namespace appreg::http;

class JsonTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsonTest);
    CPPUNIT_TEST(testAcceptsStrictJson);
    CPPUNIT_TEST(testReportsPositions);
    CPPUNIT_TEST(testRejectsIntegersOutsideInt64);
    CPPUNIT_TEST(testRejectsBadUtf8AndLoneSurrogates);
    CPPUNIT_TEST(testDepthLimit);
    CPPUNIT_TEST(testParseBodyShapes);
    CPPUNIT_TEST(testStringifyKeepsOrder);
    CPPUNIT_TEST(testStringifyWritesWhatPocoWrites);
    CPPUNIT_TEST(testWriterAndRaw);
    CPPUNIT_TEST_SUITE_END();

public:
    void testAcceptsStrictJson() {
        for (const char* ok : {"{}", "[]", "0", "-0", "1.5e3", "\"a\\u00e9\\ud83d\\ude00\"", "true", "null",
                               " {\"a\": [1, 2, {\"b\": null}]} ", "9223372036854775807",
                               "-9223372036854775808", "\"\\u0000\"", "\"h\xc3\xa9\""}) {
            CPPUNIT_ASSERT_MESSAGE(ok, !json::syntaxError(ok));
        }
    }

    void testReportsPositions() {
        CPPUNIT_ASSERT_EQUAL(std::string("Expecting value: line 1 column 1 (char 0)"),
                             *json::syntaxError("x"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"),
            *json::syntaxError("{\"a\":1,}"));
        CPPUNIT_ASSERT_EQUAL(std::string("Extra data: line 2 column 1 (char 3)"),
                             *json::syntaxError("{}\nx"));
        CPPUNIT_ASSERT_EQUAL(std::string("Expecting ':' delimiter: line 1 column 6 (char 5)"),
                             *json::syntaxError("{\"a\" 1}"));
        for (const char* bad :
             {"", "{", "[1,", "01", "1.", "NaN", "'a'", "{a:1}", "\"\t\"", "tru", "[1 2]"}) {
            CPPUNIT_ASSERT_MESSAGE(bad, json::syntaxError(bad).has_value());
        }
    }

    void testRejectsIntegersOutsideInt64() {
        // Poco silently wraps 2^64 to 0; the check must refuse it before Poco sees it.
        CPPUNIT_ASSERT_EQUAL(std::string("Integer out of range: line 1 column 7 (char 6)"),
                             *json::syntaxError("{\"a\": 18446744073709551616}"));
        CPPUNIT_ASSERT(json::syntaxError("9223372036854775808").has_value());
        CPPUNIT_ASSERT(json::syntaxError("-9223372036854775809").has_value());
        CPPUNIT_ASSERT(json::syntaxError("1e400").has_value());
        CPPUNIT_ASSERT(!json::syntaxError("1e-400"));
    }

    void testRejectsBadUtf8AndLoneSurrogates() {
        for (const char* bad :
             {"\"\xff\"", "\"\xc0\xaf\"", "\"\xe2\x82\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
              "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\""}) {
            CPPUNIT_ASSERT_MESSAGE(bad, json::syntaxError(bad).has_value());
        }
        CPPUNIT_ASSERT(json::syntaxError(std::string("\"a\0b\"", 5)).has_value());  // raw NUL
    }

    void testDepthLimit() {
        std::string ok(32, '['), tooDeep(33, '[');
        ok += std::string(32, ']');
        tooDeep += std::string(33, ']');
        CPPUNIT_ASSERT(!json::syntaxError(ok));
        CPPUNIT_ASSERT_EQUAL(std::string("Nesting deeper than 32 levels: line 1 column 33 (char 32)"),
                             *json::syntaxError(tooDeep));
    }

    void testParseBodyShapes() {
        CPPUNIT_ASSERT(json::parseBody("").type() == typeid(Poco::JSON::Object::Ptr));
        CPPUNIT_ASSERT(json::parseBody(" null ").isEmpty());
        auto obj = json::parseBody("{\"a\":1,\"a\":2}").extract<Poco::JSON::Object::Ptr>();
        CPPUNIT_ASSERT_EQUAL(2, obj->getValue<int>("a"));  // duplicate keys: the last one wins
        try {
            json::parseBody("[1]");
            CPPUNIT_FAIL("an array is not an object");
        } catch (const ApiError& e) {
            CPPUNIT_ASSERT_EQUAL(400, e.status());
            CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"JSON parse error - not a JSON object\"}"),
                                 json::stringify(e.body()));
        }
        try {
            json::parseBody("{\"a\":}");
            CPPUNIT_FAIL("malformed JSON");
        } catch (const ApiError& e) {
            CPPUNIT_ASSERT_EQUAL(
                std::string("{\"detail\":\"JSON parse error - Expecting value: line 1 column 6 (char 5)\"}"),
                json::stringify(e.body()));
        }
    }

    void testStringifyKeepsOrder() {
        auto obj = json::newObject();
        obj->set("z", 1);
        obj->set("a", "/x/");
        obj->set("m", true);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"z\":1,\"a\":\"/x/\",\"m\":true}"), json::stringify(obj));
    }

    /// stringify is our own writer (faster than Poco's Stringifier); clients must not see a byte of
    /// difference.
    void testStringifyWritesWhatPocoWrites() {
        std::string every;
        for (int c = 0; c < 256; ++c) every += static_cast<char>(c);
        auto inner = json::newObject();
        inner->set("z", std::string("last"));
        inner->set("a", Poco::Dynamic::Var());
        auto unordered = Poco::JSON::Object::Ptr(new Poco::JSON::Object());
        unordered->set("b", 1);
        unordered->set("a", 2);
        auto array = json::newArray();
        array->add(inner);
        array->add(std::string("x\"y"));
        array->add(json::newArray());
        array->add(Poco::Dynamic::Var());
        auto obj = json::newObject();
        obj->set("every byte", every);
        obj->set("utf-8 \xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80", std::string("\xc3\xa9\xe2\x80\xa8"));
        obj->set("nul", std::string("a\0b", 3));
        obj->set("url", std::string("/api/v2/applications/1/"));
        obj->set("empty", std::string());
        obj->set("cstring", "text");
        obj->set("int", 42);
        obj->set("int64 min", std::numeric_limits<Poco::Int64>::min());
        obj->set("int64 max", std::numeric_limits<Poco::Int64>::max());
        obj->set("unsigned", std::numeric_limits<Poco::UInt64>::max());
        obj->set("double", 0.25);
        obj->set("true", true);
        obj->set("false", false);
        obj->set("null", Poco::Dynamic::Var());
        obj->set("inner", inner);
        obj->set("unordered", unordered);
        obj->set("array", array);
        obj->set("inner", json::newObject());  // replacing a value keeps the key's place
        for (const Poco::Dynamic::Var& value :
             {Poco::Dynamic::Var(obj), Poco::Dynamic::Var(array), Poco::Dynamic::Var(json::newObject()),
              Poco::Dynamic::Var(std::string("top")), Poco::Dynamic::Var(7), Poco::Dynamic::Var()}) {
            std::ostringstream poco;
            Poco::JSON::Stringifier::condense(value, poco);
            CPPUNIT_ASSERT_EQUAL(poco.str(), json::stringify(value));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("{\"b\":1,\"a\":2}"), json::stringify(Poco::Dynamic::Var([] {
                                 auto o = json::newObject();
                                 o->set("b", 1);
                                 o->set("a", 2);
                                 return o;
                             }())));
    }

    void testWriterAndRaw() {
        json::Writer w;
        w.beginObject().key("a").value(std::int64_t(-1)).key("b\n").value("x\"");
        w.key("c")
            .beginArray()
            .value(true)
            .null()
            .beginObject()
            .endObject()
            .beginArray()
            .endArray()
            .endArray();
        w.key("d").beginObject().key("e").value(false).endObject().endObject();
        const std::string expected =
            "{\"a\":-1,\"b\\n\":\"x\\\"\",\"c\":[true,null,{},[]],\"d\":{\"e\":false}}";
        CPPUNIT_ASSERT_EQUAL(expected, w.text());
        CPPUNIT_ASSERT(!json::syntaxError(w.text()));
        // Raw text inside a Poco array is written as it is, between the array's other values.
        auto array = json::newArray();
        array->add(1);
        array->add(json::Raw{w.text()});
        array->add(json::Raw{"[]"});
        CPPUNIT_ASSERT_EQUAL("[1," + expected + ",[]]", json::stringify(array));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonTest);
