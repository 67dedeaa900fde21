#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "appreg/api/Representation.h"
#include "appreg/http/Json.h"

using appreg::api::applicationChanges;
using appreg::api::applicationChangesWithoutId;
using appreg::api::withChangedId;

namespace {

appreg::domain::Application application() {
    appreg::domain::Application app;
    app.id = 4711;
    app.name = "billing \"prod\" \xC3\xA9\\";  // quotes, a backslash and UTF-8 are escaped in the text
    app.description = "line one\nline two";
    app.clientId = "cid";
    app.clientSecretHash = "sha256$salt$digest";
    app.clientType = "confidential";
    app.redirectUris = "https://a.example/cb https://b.example/cb";
    app.authorizationGrantType = "authorization-code";
    app.skipAuthorization = true;
    app.organizationId = 7;
    return app;
}

appreg::domain::Organization organization() {
    appreg::domain::Organization org;
    org.id = 7;
    org.name = "Default";
    return org;
}

}  // namespace

/// The activity text of a create is made in two steps (before the write, then the id inside it); a client
/// reading the stream must see what one step made.
class RepresentationTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RepresentationTest);
    CPPUNIT_TEST(testChangesInTwoStepsAreTheChangesInOne);
    CPPUNIT_TEST(testChangesWithoutIdHoldNoIdAndNoSecret);
    CPPUNIT_TEST(testIdAppendedToAnEmptyObject);
    CPPUNIT_TEST_SUITE_END();

public:
    void testChangesInTwoStepsAreTheChangesInOne() {
        const auto app = application();
        const std::string oneStep = appreg::http::json::stringify(applicationChanges(app, organization()));
        CPPUNIT_ASSERT_EQUAL(oneStep,
                             withChangedId(applicationChangesWithoutId(app, organization()), app.id));
        CPPUNIT_ASSERT(oneStep.size() > 20 && oneStep.substr(oneStep.size() - 11) == ",\"id\":4711}");
    }

    void testChangesWithoutIdHoldNoIdAndNoSecret() {
        const std::string text = applicationChangesWithoutId(application(), organization());
        CPPUNIT_ASSERT_MESSAGE(text, text.find("\"id\"") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find("sha256") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find("\"organization\":\"Default-7\"") != std::string::npos);
    }

    void testIdAppendedToAnEmptyObject() {
        CPPUNIT_ASSERT_EQUAL(std::string("{\"id\":3}"), withChangedId("{}", 3));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RepresentationTest);
