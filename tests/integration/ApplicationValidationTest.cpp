// POST /api/v2/applications/ that must be refused (or accepted) by validation: every 400 message of the
// create, from create-application.txt, API.md §2/§4 and awx-reference.md §3 (API.md wins where they differ).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <cppunit/SourceLine.h>

using namespace appreg::test;

class ApplicationValidationTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ApplicationValidationTest);
    CPPUNIT_TEST(testEmptyObjectListsEveryRequiredField);
    CPPUNIT_TEST(testSeedErrorExample);
    CPPUNIT_TEST(testBlankName);
    CPPUNIT_TEST(testNullName);
    CPPUNIT_TEST(testNameLength);
    CPPUNIT_TEST(testNameLengthCountsCharactersNotBytes);
    CPPUNIT_TEST(testNameLengthCountsCodePoints);
    CPPUNIT_TEST(testNameIsTrimmed);
    CPPUNIT_TEST(testNameOfWrongType);
    CPPUNIT_TEST(testNameWithNullCharacter);
    CPPUNIT_TEST(testDescriptionOfWrongType);
    CPPUNIT_TEST(testClientTypeChoices);
    CPPUNIT_TEST(testGrantTypeChoices);
    CPPUNIT_TEST(testSkipAuthorizationInvalid);
    CPPUNIT_TEST(testSkipAuthorizationAcceptedSpellings);
    CPPUNIT_TEST(testOrganizationThatDoesNotExist);
    CPPUNIT_TEST(testOrganizationOfWrongType);
    CPPUNIT_TEST(testOrganizationNull);
    CPPUNIT_TEST(testOrganizationAsNumericString);
    CPPUNIT_TEST(testOrganizationOutOfIntegerRange);
    CPPUNIT_TEST(testRedirectUrisRequiredForAuthorizationCode);
    CPPUNIT_TEST(testRedirectUrisInvalid);
    CPPUNIT_TEST(testRedirectUrisOnlyFirstFailureIsReported);
    CPPUNIT_TEST(testRedirectUrisCheckedForPasswordGrantToo);
    CPPUNIT_TEST(testRedirectUrisAccepted);
    CPPUNIT_TEST(testRedirectUrisTooLong);
    CPPUNIT_TEST(testRedirectUrisOfWrongType);
    CPPUNIT_TEST(testDuplicateNameInOrganization);
    CPPUNIT_TEST(testDuplicateAfterTrimming);
    CPPUNIT_TEST(testSameNameInAnotherOrganization);
    CPPUNIT_TEST(testRedirectAndDuplicateErrorsTogether);
    CPPUNIT_TEST(testModelChecksWaitForFieldChecks);
    CPPUNIT_TEST(testSeveralFieldErrorsInFieldOrder);
    CPPUNIT_TEST(testRejectedCreateWritesNothing);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEmptyObjectListsEveryRequiredField() {
        rejects("{}",
                R"({"name": ["This field is required."], "client_type": ["This field is required."],
                    "authorization_grant_type": ["This field is required."],
                    "organization": ["This field is required."]})",
                CPPUNIT_SOURCELINE());
    }

    void testSeedErrorExample() {
        // create-application.txt's 400: the fields missing from a body that has only a name.
        const std::string expected = R"({"client_type": ["This field is required."],
            "authorization_grant_type": ["This field is required."],
            "organization": ["This field is required."]})";
        rejects(R"({"name": "test app"})", expected, CPPUNIT_SOURCELINE());
        rejects(R"({"name": "x"})", expected, CPPUNIT_SOURCELINE());
    }

    void testBlankName() {
        // API.md §2: appreg rejects what AWX accepts.
        rejects(with("name", R"("")"), R"({"name": ["This field may not be blank."]})", CPPUNIT_SOURCELINE());
        rejects(with("name", R"("   ")"), R"({"name": ["This field may not be blank."]})",
                CPPUNIT_SOURCELINE());
    }

    void testNullName() {
        rejects(with("name", "null"), R"({"name": ["This field may not be null."]})", CPPUNIT_SOURCELINE());
    }

    void testNameLength() {
        accepts(with("name", JsonAssert::quote(std::string(255, 'a'))), CPPUNIT_SOURCELINE());
        rejects(with("name", JsonAssert::quote(std::string(256, 'a'))),
                R"({"name": ["Ensure this field has no more than 255 characters."]})", CPPUNIT_SOURCELINE());
    }

    void testNameLengthCountsCharactersNotBytes() {
        std::string name255;
        for (int i = 0; i < 255; ++i) {
            name255 += "\xc3\xa9";  // é: one character, two UTF-8 bytes
        }
        const auto body = accepts(with("name", JsonAssert::quote(name255)), CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_EQUAL(name255, body->getValue<std::string>("name"));
        rejects(with("name", JsonAssert::quote(name255 + "\xc3\xa9")),
                R"({"name": ["Ensure this field has no more than 255 characters."]})", CPPUNIT_SOURCELINE());
    }

    void testNameLengthCountsCodePoints() {
        // A character outside the BMP is one character, whether sent as UTF-8 or as a \u surrogate pair.
        std::string name255;
        for (int i = 0; i < 255; ++i) {
            name255 += "\xf0\x9f\x98\x80";  // U+1F600
        }
        const auto body = accepts(with("name", JsonAssert::quote(name255)), CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_EQUAL(name255, body->getValue<std::string>("name"));
        rejects(JsonAssert::with(with("name", JsonAssert::quote(name255 + "\xf0\x9f\x98\x80")), "description",
                                 R"("x")"),
                R"({"name": ["Ensure this field has no more than 255 characters."]})", CPPUNIT_SOURCELINE());
        const auto escaped = accepts(with("name", R"("smile \ud83d\ude00")"), CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_EQUAL(std::string("smile \xf0\x9f\x98\x80"), escaped->getValue<std::string>("name"));
    }

    void testNameIsTrimmed() {
        const auto body = accepts(with("name", R"("  padded name  ")"), CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_EQUAL(std::string("padded name"), body->getValue<std::string>("name"));
        // The limit applies after trimming.
        accepts(with("name", JsonAssert::quote("  " + std::string(255, 'b') + "  ")), CPPUNIT_SOURCELINE());
    }

    void testNameOfWrongType() {
        // API.md §2: no coercion of numbers, booleans, lists or objects into strings.
        for (const char* value : {"123", "true", "false", "[]", "{}", "1.5"}) {
            rejects(with("name", value), R"({"name": ["Not a valid string."]})", CPPUNIT_SOURCELINE());
        }
    }

    void testNameWithNullCharacter() {
        rejects(with("name", R"("a\u0000b")"), R"({"name": ["Null characters are not allowed."]})",
                CPPUNIT_SOURCELINE());
        rejects(with("name", R"("\u0000")"), R"({"name": ["Null characters are not allowed."]})",
                CPPUNIT_SOURCELINE());
    }

    void testDescriptionOfWrongType() {
        rejects(with("description", "123"), R"({"description": ["Not a valid string."]})",
                CPPUNIT_SOURCELINE());
    }

    void testClientTypeChoices() {
        rejects(with("client_type", R"("x")"), R"({"client_type": ["\"x\" is not a valid choice."]})",
                CPPUNIT_SOURCELINE());
        rejects(with("client_type", R"("Confidential")"),
                R"({"client_type": ["\"Confidential\" is not a valid choice."]})", CPPUNIT_SOURCELINE());
        rejects(with("client_type", R"("")"), R"({"client_type": ["\"\" is not a valid choice."]})",
                CPPUNIT_SOURCELINE());
        rejects(with("client_type", "null"), R"({"client_type": ["This field may not be null."]})",
                CPPUNIT_SOURCELINE());
    }

    void testGrantTypeChoices() {
        for (const char* grant : {"implicit", "client-credentials", "x"}) {
            rejects(with("authorization_grant_type", JsonAssert::quote(grant)),
                    "{\"authorization_grant_type\": [" +
                        JsonAssert::quote("\"" + std::string(grant) + "\" is not a valid choice.") + "]}",
                    CPPUNIT_SOURCELINE());
        }
        rejects(with("authorization_grant_type", "null"),
                R"({"authorization_grant_type": ["This field may not be null."]})", CPPUNIT_SOURCELINE());
    }

    void testSkipAuthorizationInvalid() {
        for (const char* value : {R"("abc")", "[]", "2"}) {
            rejects(with("skip_authorization", value),
                    R"({"skip_authorization": ["Must be a valid boolean."]})", CPPUNIT_SOURCELINE());
        }
    }

    void testSkipAuthorizationAcceptedSpellings() {
        const std::vector<std::pair<std::string, bool>> spellings = {
            {"true", true},      {"false", false},    {R"("yes")", true}, {R"("0")", false},
            {"1", true},         {"0", false},        {"null", false},    {R"("on")", true},
            {R"("off")", false}, {R"("TRUE")", true}, {R"("Yes")", true}, {R"("F")", false},
            {R"("")", false},
        };
        int n = 0;
        for (const auto& [value, expected] : spellings) {
            const std::string request = JsonAssert::with(with("skip_authorization", value), "name",
                                                         JsonAssert::quote("app" + std::to_string(++n)));
            const auto body = accepts(request, CPPUNIT_SOURCELINE());
            CPPUNIT_ASSERT_MESSAGE("skip_authorization " + value + " must give a JSON boolean",
                                   body->get("skip_authorization").isBoolean());
            CPPUNIT_ASSERT_EQUAL_MESSAGE("skip_authorization " + value, expected,
                                         body->getValue<bool>("skip_authorization"));
        }
    }

    void testOrganizationThatDoesNotExist() {
        rejects(with("organization", "99"),
                R"({"organization": ["Invalid pk \"99\" - object does not exist."]})", CPPUNIT_SOURCELINE());
        rejects(with("organization", "0"),
                R"({"organization": ["Invalid pk \"0\" - object does not exist."]})", CPPUNIT_SOURCELINE());
    }

    void testOrganizationOfWrongType() {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {R"("abc")", "str"}, {"1.5", "float"}, {"true", "bool"},
            {"false", "bool"},   {"[]", "list"},   {"{}", "dict"},
        };
        for (const auto& [value, typeName] : cases) {
            rejects(with("organization", value),
                    "{\"organization\": [\"Incorrect type. Expected pk value, received " + typeName + ".\"]}",
                    CPPUNIT_SOURCELINE());
        }
    }

    void testOrganizationNull() {
        rejects(with("organization", "null"), R"({"organization": ["This field may not be null."]})",
                CPPUNIT_SOURCELINE());
        rejects(with("organization", R"("")"), R"({"organization": ["This field may not be null."]})",
                CPPUNIT_SOURCELINE());
    }

    void testOrganizationAsNumericString() {
        const long long org = organization();
        const auto body =
            accepts(with("organization", JsonAssert::quote(std::to_string(org))), CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_MESSAGE("organization must come back as a JSON integer",
                               body->get("organization").isInteger());
        CPPUNIT_ASSERT_EQUAL(org, body->getValue<long long>("organization"));
    }

    void testOrganizationOutOfIntegerRange() {
        // Beyond 64 bits the JSON parser underneath wraps (2^64 + 1 becomes 1) or clamps: such a pk must
        // never select an existing organization. Written as text, since JsonAssert::with would parse them
        // too.
        const long long org = organization();
        CPPUNIT_ASSERT_EQUAL(1LL, org);  // so that a wrap to 1 would find it
        for (const char* value : {"18446744073709551617", "18446744073709551616", "9223372036854775808",
                                  "-9223372036854775809", "99999999999999999999999"}) {
            const std::string request = std::string(R"({"name": "big", "client_type": "public", )") +
                                        R"("authorization_grant_type": "password", "organization": )" +
                                        value + "}";
            const FcgiResponse response = api().createApplication(request);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(request + " -> " + response.describe(), 400, response.status);
        }
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
        rejects(with("organization", "9223372036854775807"),
                R"({"organization": ["Invalid pk \"9223372036854775807\" - object does not exist."]})",
                CPPUNIT_SOURCELINE());
        rejects(with("organization", "-1"),
                R"({"organization": ["Invalid pk \"-1\" - object does not exist."]})", CPPUNIT_SOURCELINE());
        rejects(with("organization", "1.0"),
                R"({"organization": ["Incorrect type. Expected pk value, received float."]})",
                CPPUNIT_SOURCELINE());
    }

    void testRedirectUrisRequiredForAuthorizationCode() {
        const std::string expected =
            R"({"__all__": ["redirect_uris cannot be empty with grant_type authorization-code"]})";
        rejects(authorizationCode(R"("")"), expected, CPPUNIT_SOURCELINE());
        rejects(authorizationCode(R"("   ")"), expected, CPPUNIT_SOURCELINE());
        rejects(JsonAssert::with(base(), "authorization_grant_type", R"("authorization-code")"), expected,
                CPPUNIT_SOURCELINE());
        // Empty is fine for the password grant.
        accepts(with("redirect_uris", R"("")"), CPPUNIT_SOURCELINE());
    }

    void testRedirectUrisInvalid() {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"example.com", "Enter a valid URL."},
            {"notaurl", "Enter a valid URL."},
            {"http://x/#f", "Redirect URIs must not contain fragments"},
            {"ftp://x", "Unauthorized redirect scheme: ftp"},
            {"myapp://cb", "Unauthorized redirect scheme: myapp"},
        };
        for (const auto& [uri, message] : cases) {
            rejects(authorizationCode(JsonAssert::quote(uri)),
                    "{\"__all__\": [" + JsonAssert::quote(message) + "]}", CPPUNIT_SOURCELINE());
        }
    }

    void testRedirectUrisOnlyFirstFailureIsReported() {
        rejects(authorizationCode(R"("https://ok.example/cb ftp://x example.com http://y/#f")"),
                R"({"__all__": ["Unauthorized redirect scheme: ftp"]})", CPPUNIT_SOURCELINE());
        rejects(authorizationCode(R"("example.com ftp://x")"), R"({"__all__": ["Enter a valid URL."]})",
                CPPUNIT_SOURCELINE());
    }

    void testRedirectUrisCheckedForPasswordGrantToo() {
        rejects(with("redirect_uris", R"("example.com")"), R"({"__all__": ["Enter a valid URL."]})",
                CPPUNIT_SOURCELINE());
    }

    void testRedirectUrisAccepted() {
        const std::vector<std::string> accepted = {
            "http://localhost:8013/api/",
            "https://example.com http://example.org",
            "HTTPS://example.com/",
            "http://[::1]:8000/cb",
            "https://a.example/cb\thttps://b.example/cb",
        };
        int n = 0;
        for (const std::string& uris : accepted) {
            const std::string request = JsonAssert::with(authorizationCode(JsonAssert::quote(uris)), "name",
                                                         "\"ok" + std::to_string(++n) + "\"");
            const auto body = accepts(request, CPPUNIT_SOURCELINE());
            CPPUNIT_ASSERT_EQUAL(uris, body->getValue<std::string>("redirect_uris"));
        }
        // Stored trimmed, not otherwise normalised.
        const auto body = accepts(
            JsonAssert::with(authorizationCode(R"("  https://example.com/cb  ")"), "name", R"("trimmed")"),
            CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_EQUAL(std::string("https://example.com/cb"),
                             body->getValue<std::string>("redirect_uris"));
    }

    void testRedirectUrisTooLong() {
        rejects(authorizationCode(JsonAssert::quote("https://example.com/" + std::string(2100, 'a'))),
                R"({"__all__": ["Enter a valid URL."]})", CPPUNIT_SOURCELINE());
    }

    void testRedirectUrisOfWrongType() {
        rejects(with("redirect_uris", "5"), R"({"redirect_uris": ["Not a valid string."]})",
                CPPUNIT_SOURCELINE());
    }

    void testDuplicateNameInOrganization() {
        accepts(base(), CPPUNIT_SOURCELINE());
        rejects(base(), R"({"__all__": ["Application with this Name and Organization already exists."]})",
                CPPUNIT_SOURCELINE());
        // A different client type or grant does not make it another application.
        rejects(with("client_type", R"("public")"),
                R"({"__all__": ["Application with this Name and Organization already exists."]})",
                CPPUNIT_SOURCELINE());
    }

    void testDuplicateAfterTrimming() {
        accepts(base(), CPPUNIT_SOURCELINE());
        rejects(with("name", R"("  app  ")"),
                R"({"__all__": ["Application with this Name and Organization already exists."]})",
                CPPUNIT_SOURCELINE());
    }

    void testSameNameInAnotherOrganization() {
        accepts(base(), CPPUNIT_SOURCELINE());
        const long long other = api().createOrganization("other-org");
        accepts(ApiClient::seedApplication(other, "app"), CPPUNIT_SOURCELINE());
    }

    void testRedirectAndDuplicateErrorsTogether() {
        accepts(authorizationCode(R"("https://example.com/cb")"), CPPUNIT_SOURCELINE());
        rejects(authorizationCode(R"("")"),
                R"({"__all__": ["redirect_uris cannot be empty with grant_type authorization-code",
                                "Application with this Name and Organization already exists."]})",
                CPPUNIT_SOURCELINE());
    }

    void testModelChecksWaitForFieldChecks() {
        // awx-reference §3.3: redirect and uniqueness rules run only once every field is valid.
        accepts(base(), CPPUNIT_SOURCELINE());
        rejects(JsonAssert::with(authorizationCode(R"("")"), "skip_authorization", R"("abc")"),
                R"({"skip_authorization": ["Must be a valid boolean."]})", CPPUNIT_SOURCELINE());
    }

    void testSeveralFieldErrorsInFieldOrder() {
        // Keys deliberately in reverse order: errors follow the field order, not the body's.
        rejects(R"({"organization": "abc", "skip_authorization": "abc", "authorization_grant_type": "y",
                    "redirect_uris": 5, "client_type": "x", "description": 5, "name": ""})",
                R"({"name": ["This field may not be blank."], "description": ["Not a valid string."],
                    "client_type": ["\"x\" is not a valid choice."], "redirect_uris": ["Not a valid string."],
                    "authorization_grant_type": ["\"y\" is not a valid choice."],
                    "skip_authorization": ["Must be a valid boolean."],
                    "organization": ["Incorrect type. Expected pk value, received str."]})",
                CPPUNIT_SOURCELINE());
        rejects(R"({"organization": 99, "name": true})",
                R"({"name": ["Not a valid string."], "client_type": ["This field is required."],
                    "authorization_grant_type": ["This field is required."],
                    "organization": ["Invalid pk \"99\" - object does not exist."]})",
                CPPUNIT_SOURCELINE());
    }

    void testRejectedCreateWritesNothing() {
        rejects(with("client_type", R"("x")"), R"({"client_type": ["\"x\" is not a valid choice."]})",
                CPPUNIT_SOURCELINE());
        rejects(authorizationCode(R"("ftp://x")"), R"({"__all__": ["Unauthorized redirect scheme: ftp"]})",
                CPPUNIT_SOURCELINE());
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

private:
    /// The seed's create body for this test's organization, with the name "app".
    std::string base() { return ApiClient::seedApplication(organization(), "app"); }
    /// base() with one field replaced by a JSON value.
    std::string with(const std::string& field, const std::string& valueJson) {
        return JsonAssert::with(base(), field, valueJson);
    }
    /// base() with the authorization-code grant and these redirect_uris.
    std::string authorizationCode(const std::string& redirectUrisJson) {
        return JsonAssert::with(with("authorization_grant_type", R"("authorization-code")"), "redirect_uris",
                                redirectUrisJson);
    }

    void rejects(const std::string& request, const std::string& expected, const CppUnit::SourceLine& line) {
        const FcgiResponse response = api().createApplication(request);
        const std::string context = "POST /api/v2/applications/ " + request + " -> " + response.describe();
        if (response.status != 400) {
            CppUnit::Asserter::failNotEqual("400", std::to_string(response.status), line,
                                            CppUnit::AdditionalMessage(context));
        }
        JsonAssert::assertEqual(expected, response.body, line, context);
    }

    Poco::JSON::Object::Ptr accepts(const std::string& request, const CppUnit::SourceLine& line) {
        const FcgiResponse response = api().createApplication(request);
        if (response.status != 201) {
            CppUnit::Asserter::failNotEqual(
                "201", std::to_string(response.status), line,
                CppUnit::AdditionalMessage("POST /api/v2/applications/ " + request + " -> " +
                                           response.describe()));
        }
        return JsonAssert::parseObject(response.body);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApplicationValidationTest);
