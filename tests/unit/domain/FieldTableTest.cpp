#include <cppunit/extensions/HelperMacros.h>

#include <Poco/JSON/Parser.h>

#include "appreg/domain/Application.h"
#include "appreg/domain/Organization.h"
#include "appreg/http/Json.h"

using namespace appreg::domain;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser p;
    return p.parse(json).extract<Poco::JSON::Object::Ptr>();
}

bool orgOneExists(const std::string& model, std::int64_t id) { return model == "Organization" && id == 1; }

/// Validates a create body and returns the 400 body ("{}" when valid).
std::string errorsOf(const std::string& body, WriteMode mode = WriteMode::Create) {
    FieldErrors errors;
    applicationFields().validate(*parse(body), mode, orgOneExists, errors);
    return appreg::http::json::stringify(errors.toJson());
}

const std::string kValid = R"("name":"a","client_type":"public","authorization_grant_type":"password","organization":1)";

std::string withField(const std::string& field, const std::string& json) {
    return "{" + kValid + ",\"" + field + "\":" + json + "}";
}

std::string only(const std::string& field, const std::string& message) {
    return "{\"" + field + "\":[\"" + message + "\"]}";
}

}  // namespace

class FieldTableTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FieldTableTest);
    CPPUNIT_TEST(testRequiredFieldsInFieldOrder);
    CPPUNIT_TEST(testValidBodyAndDefaults);
    CPPUNIT_TEST(testName);
    CPPUNIT_TEST(testChoices);
    CPPUNIT_TEST(testBoolean);
    CPPUNIT_TEST(testOrganization);
    CPPUNIT_TEST(testAllErrorsTogether);
    CPPUNIT_TEST(testUpdateModes);
    CPPUNIT_TEST(testOrganizationTable);
    CPPUNIT_TEST(testPythonStr);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRequiredFieldsInFieldOrder() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"name":["This field is required."],"client_type":["This field is required."],)"
                                         R"("authorization_grant_type":["This field is required."],)"
                                         R"("organization":["This field is required."]})"),
                             errorsOf("{}"));
    }

    void testValidBodyAndDefaults() {
        FieldErrors errors;
        auto values = applicationFields().validate(*parse("{" + kValid + ",\"client_id\":\"x\",\"id\":5}"),
                                                   WriteMode::Create, orgOneExists, errors);
        CPPUNIT_ASSERT(errors.empty());
        Application app;
        applyApplicationValues(values, app);
        CPPUNIT_ASSERT_EQUAL(std::string("a"), app.name);
        CPPUNIT_ASSERT_EQUAL(std::string(""), app.description);
        CPPUNIT_ASSERT_EQUAL(std::string(""), app.redirectUris);
        CPPUNIT_ASSERT_EQUAL(false, app.skipAuthorization);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), app.organizationId);
        CPPUNIT_ASSERT_EQUAL(std::string(""), app.clientId);  // read-only: ignored
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), errorsOf(withField("description", "null")));
    }

    void testName() {
        CPPUNIT_ASSERT_EQUAL(only("name", "This field may not be blank."), errorsOf(withField("name", "\"\"")));
        CPPUNIT_ASSERT_EQUAL(only("name", "This field may not be blank."), errorsOf(withField("name", "\"  \"")));
        CPPUNIT_ASSERT_EQUAL(only("name", "This field may not be null."), errorsOf(withField("name", "null")));
        for (const char* wrong : {"123", "true", "false", "[]", "{}", "1.5"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(wrong, only("name", "Not a valid string."), errorsOf(withField("name", wrong)));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), errorsOf(withField("name", "\"" + std::string(255, 'x') + "\"")));
        CPPUNIT_ASSERT_EQUAL(only("name", "Ensure this field has no more than 255 characters."),
                             errorsOf(withField("name", "\"" + std::string(256, 'x') + "\"")));
        // 255 two-byte characters are 255 characters, not 510.
        std::string accents;
        for (int i = 0; i < 255; ++i) accents += "\xc3\xa9";
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), errorsOf(withField("name", "\"" + accents + "\"")));
        CPPUNIT_ASSERT_EQUAL(only("name", "Null characters are not allowed."),
                             errorsOf(withField("name", "\"a\\u0000b\"")));
    }

    void testChoices() {
        CPPUNIT_ASSERT_EQUAL(only("client_type", "\\\"x\\\" is not a valid choice."),
                             errorsOf(withField("client_type", "\"x\"")));
        CPPUNIT_ASSERT_EQUAL(only("client_type", "\\\"5\\\" is not a valid choice."),
                             errorsOf(withField("client_type", "5")));
        CPPUNIT_ASSERT_EQUAL(only("client_type", "\\\"True\\\" is not a valid choice."),
                             errorsOf(withField("client_type", "true")));
        CPPUNIT_ASSERT_EQUAL(only("client_type", "\\\"\\\" is not a valid choice."),
                             errorsOf(withField("client_type", "\"\"")));
        CPPUNIT_ASSERT_EQUAL(only("client_type", "This field may not be null."),
                             errorsOf(withField("client_type", "null")));
        for (const char* grant : {"implicit", "client-credentials", "Password"}) {
            CPPUNIT_ASSERT_EQUAL(only("authorization_grant_type", std::string("\\\"") + grant + "\\\" is not a valid choice."),
                                 errorsOf(withField("authorization_grant_type", std::string("\"") + grant + "\"")));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), errorsOf(withField("authorization_grant_type", "\"authorization-code\"")));
    }

    void testBoolean() {
        for (const char* ok : {"true", "false", "1", "0", "\"yes\"", "\"Off\"", "\"t\"", "\"0\"", "null", "\"\"", "\"null\""}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(ok, std::string("{}"), errorsOf(withField("skip_authorization", ok)));
        }
        for (const char* bad : {"\"abc\"", "[]", "2", "{}"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, only("skip_authorization", "Must be a valid boolean."),
                                         errorsOf(withField("skip_authorization", bad)));
        }
    }

    void testOrganization() {
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), errorsOf(withField("organization", "\"1\"")));
        CPPUNIT_ASSERT_EQUAL(only("organization", "Invalid pk \\\"99\\\" - object does not exist."),
                             errorsOf(withField("organization", "99")));
        CPPUNIT_ASSERT_EQUAL(only("organization", "Invalid pk \\\"-1\\\" - object does not exist."),
                             errorsOf(withField("organization", "-1")));
        CPPUNIT_ASSERT_EQUAL(only("organization", "Invalid pk \\\"99999999999999999999\\\" - object does not exist."),
                             errorsOf(withField("organization", "\"99999999999999999999\"")));
        CPPUNIT_ASSERT_EQUAL(only("organization", "This field may not be null."), errorsOf(withField("organization", "null")));
        CPPUNIT_ASSERT_EQUAL(only("organization", "This field may not be null."), errorsOf(withField("organization", "\"\"")));
        const std::pair<const char*, const char*> wrongTypes[] = {
            {"\"abc\"", "str"}, {"1.5", "float"}, {"true", "bool"}, {"[1]", "list"}, {"{}", "dict"}};
        for (const auto& [json, type] : wrongTypes) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(json,
                                         only("organization", std::string("Incorrect type. Expected pk value, received ") + type + "."),
                                         errorsOf(withField("organization", json)));
        }
    }

    void testAllErrorsTogether() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"name":["Not a valid string."],"client_type":["\"x\" is not a valid choice."],)"
                                         R"("authorization_grant_type":["This field is required."],)"
                                         R"("skip_authorization":["Must be a valid boolean."],)"
                                         R"("organization":["Invalid pk \"7\" - object does not exist."]})"),
                             errorsOf(R"({"organization":7,"skip_authorization":"maybe","client_type":"x","name":1})"));
    }

    void testUpdateModes() {
        // PATCH: only what is sent; the grant type is read-only on update and silently ignored.
        FieldErrors errors;
        auto values = applicationFields().validate(*parse(R"({"authorization_grant_type":"x","description":"d"})"),
                                                   WriteMode::Partial, orgOneExists, errors);
        CPPUNIT_ASSERT(errors.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), values.size());
        CPPUNIT_ASSERT_EQUAL(std::string("d"), values.at("description").extract<std::string>());
        // PUT: name, client_type and organization required; description and skip_authorization reset;
        // redirect_uris kept.
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"name":["This field is required."],"client_type":["This field is required."],)"
                                         R"("organization":["This field is required."]})"),
                             errorsOf("{}", WriteMode::Replace));
        FieldErrors e2;
        auto put = applicationFields().validate(*parse(R"({"name":"n","client_type":"public","organization":1})"),
                                                WriteMode::Replace, orgOneExists, e2);
        CPPUNIT_ASSERT(e2.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), put.count("description"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), put.count("skip_authorization"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), put.count("redirect_uris"));
    }

    void testOrganizationTable() {
        FieldErrors errors;
        organizationFields().validate(*parse(R"({"name":" "})"), WriteMode::Create, orgOneExists, errors);
        CPPUNIT_ASSERT_EQUAL(only("name", "This field may not be blank."), appreg::http::json::stringify(errors.toJson()));
        FieldErrors tooLong;
        organizationFields().validate(*parse("{\"name\":\"" + std::string(513, 'o') + "\"}"), WriteMode::Create,
                                      orgOneExists, tooLong);
        CPPUNIT_ASSERT_EQUAL(only("name", "Ensure this field has no more than 512 characters."),
                             appreg::http::json::stringify(tooLong.toJson()));
    }

    void testPythonStr() {
        Poco::JSON::Parser p;
        auto v = p.parse(R"({"a":[1,"x",null,true,1.5,{"k":false}]})").extract<Poco::JSON::Object::Ptr>()->get("a");
        CPPUNIT_ASSERT_EQUAL(std::string("[1, 'x', None, True, 1.5, {'k': False}]"), pythonStr(v));
        CPPUNIT_ASSERT_EQUAL(std::string("1.0"), pythonStr(Poco::Dynamic::Var(1.0)));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FieldTableTest);
