// GET /api/v2/applications/: pagination, ordering, search and field filters as an AWX client uses them
// (API.md §4, awx-reference.md §4.2, docs/decisions.md "Lists").

#include "ApiSteps.h"
#include "DatabaseRows.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

std::string names(const std::vector<std::string>& values) { return JsonAssert::join(values); }

std::string listUri(const std::string& query) { return std::string(ApiClient::kApplications) + "?" + query; }

}  // namespace

class ApplicationListTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ApplicationListTest);
    CPPUNIT_TEST(testEmptyList);
    CPPUNIT_TEST(testListHeadersAndHead);
    CPPUNIT_TEST(testDefaultOrderIsOrganizationNameThenName);
    CPPUNIT_TEST(testListItemIsTheDetailShape);
    CPPUNIT_TEST(testSecretIsCensoredOrAbsentInItems);
    CPPUNIT_TEST(testSummaryTokensInItems);
    CPPUNIT_TEST(testDefaultPageSizeAndLinks);
    CPPUNIT_TEST(testPageSizeIsCappedAt200);
    CPPUNIT_TEST(testInvalidPageSizeUsesTheDefault);
    CPPUNIT_TEST(testPageLast);
    CPPUNIT_TEST(testInvalidPageIs404);
    CPPUNIT_TEST(testLinksKeepTheQuerySorted);
    CPPUNIT_TEST(testOrderBy);
    CPPUNIT_TEST(testOrderByOrganizationName);
    CPPUNIT_TEST(testUnknownOrderFieldIs400);
    CPPUNIT_TEST(testUnknownFilterFieldIs400);
    CPPUNIT_TEST(testSecretFieldsMayNotBeFilteredOrOrdered);
    CPPUNIT_TEST(testSearch);
    CPPUNIT_TEST(testStringLookups);
    CPPUNIT_TEST(testNumericAndSetLookups);
    CPPUNIT_TEST(testChoiceBooleanAndRelatedFilters);
    CPPUNIT_TEST(testNotPrefix);
    CPPUNIT_TEST(testFilterValueErrors);
    CPPUNIT_TEST(testDateTimeFilters);
    CPPUNIT_TEST(testInvalidDateTimeFilterIs400);
    CPPUNIT_TEST(testUnofferedLookupsAreUnknownFields);
    CPPUNIT_TEST(testTypeFilter);
    CPPUNIT_TEST(testCountDisabled);
    CPPUNIT_TEST(testFilteredCountFollowsEveryWrite);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEmptyList() {
        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(ApiClient::kApplications));
        // An empty list still has page 1.
        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(listUri("page=1")));
    }

    void testListHeadersAndHead() {
        ApiSteps::createApplication(api(), organization(), "one");
        const FcgiResponse get = api().get(ApiClient::kApplications);
        APPREG_ASSERT_STATUS(200, get);
        CPPUNIT_ASSERT_MESSAGE(get.describe(), get.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(get.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     get.header("Allow"));
        CPPUNIT_ASSERT_MESSAGE(get.describe(), !get.header("X-API-Request-Id").empty());

        const FcgiResponse head = api().send("HEAD", ApiClient::kApplications);
        APPREG_ASSERT_STATUS(200, head);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(head.describe(), std::string(), head.body);
        CPPUNIT_ASSERT_MESSAGE(head.describe(),
                               head.header("Content-Type").rfind("application/json", 0) == 0);
    }

    void testDefaultOrderIsOrganizationNameThenName() {
        // Organizations created out of their name order, applications in scrambled order: neither id nor
        // creation order gives the expected order, only organization name, then application name. (The id
        // tie-break cannot show: (name, organization) is unique.)
        const long long zeta = api().createOrganization("Zeta");
        const long long alpha = api().createOrganization("Alpha");
        const long long mid = api().createOrganization("mid");
        ApiSteps::createApplication(api(), zeta, "b");
        ApiSteps::createApplication(api(), alpha, "c");
        ApiSteps::createApplication(api(), mid, "a");
        ApiSteps::createApplication(api(), zeta, "a");
        ApiSteps::createApplication(api(), alpha, "a");
        ApiSteps::createApplication(api(), alpha, "B");
        const auto list = ApiSteps::getOk(api(), ApiClient::kApplications);
        CPPUNIT_ASSERT_EQUAL(6LL, ApiSteps::count(list));
        std::vector<std::string> actual;
        const auto results = ApiSteps::results(list);
        for (std::size_t i = 0; i < results->size(); ++i) {
            const auto item = results->getObject(static_cast<unsigned>(i));
            actual.push_back(
                item->getObject("summary_fields")->getObject("organization")->getValue<std::string>("name") +
                "/" + item->getValue<std::string>("name"));
        }
        // Byte order of the names (SQLite's default collation, as PostgreSQL's C collation): upper case
        // first.
        CPPUNIT_ASSERT_EQUAL(names({"Alpha/B", "Alpha/a", "Alpha/c", "Zeta/a", "Zeta/b", "mid/a"}),
                             names(actual));
    }

    void testListItemIsTheDetailShape() {
        const long long id =
            ApiSteps::createApplicationId(api(), organization(), "shape",
                                          {{"description", R"("d")"},
                                           {"redirect_uris", R"("https://example.com/cb")"},
                                           {"authorization_grant_type", R"("authorization-code")"}});
        const FcgiResponse detail = api().get(ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(200, detail);
        const auto list = ApiSteps::getOk(api(), ApiClient::kApplications);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), ApiSteps::results(list)->size());
        // Everything, key order included, is what the detail view shows (appreg has no named_url).
        APPREG_ASSERT_JSON(detail.body, JsonAssert::toJson(ApiSteps::results(list)->get(0)));
    }

    void testSecretIsCensoredOrAbsentInItems() {
        ApiSteps::createApplication(api(), organization(), "conf");
        ApiSteps::createApplication(api(), organization(), "pub", {{"client_type", R"("public")"}});
        const auto results = ApiSteps::results(ApiSteps::getOk(api(), listUri("order_by=name")));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), results->size());
        const auto confidential = results->getObject(0);
        const auto publicApp = results->getObject(1);
        CPPUNIT_ASSERT_EQUAL(std::string("conf"), confidential->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"),
                             confidential->getValue<std::string>("client_secret"));
        CPPUNIT_ASSERT_EQUAL(std::string("pub"), publicApp->getValue<std::string>("name"));
        CPPUNIT_ASSERT_MESSAGE(JsonAssert::toJson(publicApp), !publicApp->has("client_secret"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(40), publicApp->getValue<std::string>("client_id").size());
    }

    void testSummaryTokensInItems() {
        const long long withTokens = ApiSteps::createApplicationId(api(), organization(), "a-tokens");
        ApiSteps::createApplication(api(), organization(), "b-none");
        const long long first =
            ApiSteps::createToken(api(), withTokens, R"({"scope": "read"})")->getValue<long long>("id");
        const long long second = ApiSteps::createToken(api(), withTokens)->getValue<long long>("id");
        const auto results = ApiSteps::results(ApiSteps::getOk(api(), listUri("order_by=name")));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), results->size());
        APPREG_ASSERT_JSON(
            "{\"count\": 2, \"results\": [{\"id\": " + std::to_string(first) +
                ", \"token\": \"************\", \"scope\": \"read\"}, {\"id\": " + std::to_string(second) +
                ", \"token\": \"************\", \"scope\": \"write\"}]}",
            JsonAssert::toJson(results->getObject(0)->getObject("summary_fields")->get("tokens")));
        APPREG_ASSERT_JSON(
            R"({"count": 0, "results": []})",
            JsonAssert::toJson(results->getObject(1)->getObject("summary_fields")->get("tokens")));
    }

    void testDefaultPageSizeAndLinks() {
        createNumbered(27);
        const auto first = ApiSteps::getOk(api(), ApiClient::kApplications);
        CPPUNIT_ASSERT_EQUAL(27LL, ApiSteps::count(first));
        CPPUNIT_ASSERT_EQUAL(std::size_t(25), ApiSteps::results(first)->size());
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?page=2"),
                             first->getValue<std::string>("next"));
        CPPUNIT_ASSERT(first->isNull("previous"));
        CPPUNIT_ASSERT_EQUAL(std::string("app-001"), ApiSteps::column(first, "name").front());
        CPPUNIT_ASSERT_EQUAL(std::string("app-025"), ApiSteps::column(first, "name").back());

        const auto second = ApiSteps::getOk(api(), first->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(27LL, ApiSteps::count(second));
        CPPUNIT_ASSERT_EQUAL(names({"app-026", "app-027"}), names(ApiSteps::column(second, "name")));
        CPPUNIT_ASSERT(second->isNull("next"));
        // The link to page 1 drops `page` altogether.
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/"), second->getValue<std::string>("previous"));
    }

    void testPageSizeIsCappedAt200() {
        createNumbered(201);
        const auto first = ApiSteps::getOk(api(), listUri("page_size=500"));
        CPPUNIT_ASSERT_EQUAL(201LL, ApiSteps::count(first));
        CPPUNIT_ASSERT_EQUAL(std::size_t(200), ApiSteps::results(first)->size());
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?page=2&page_size=200"),
                             first->getValue<std::string>("next"));
        CPPUNIT_ASSERT(first->isNull("previous"));

        const auto second = ApiSteps::getOk(api(), listUri("page=2&page_size=500"));
        CPPUNIT_ASSERT_EQUAL(names({"app-201"}), names(ApiSteps::column(second, "name")));
        CPPUNIT_ASSERT(second->isNull("next"));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?page_size=200"),
                             second->getValue<std::string>("previous"));

        // Exactly 200 is allowed as asked.
        const auto exact = ApiSteps::getOk(api(), listUri("page_size=200"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(200), ApiSteps::results(exact)->size());
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?page=2&page_size=200"),
                             exact->getValue<std::string>("next"));
    }

    void testInvalidPageSizeUsesTheDefault() {
        createNumbered(26);
        for (const char* value : {"0", "-5", "abc", "", "1.5"}) {
            const std::string uri = listUri(std::string("page_size=") + value);
            const auto list = ApiSteps::getOk(api(), uri);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, 26LL, ApiSteps::count(list));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::size_t(25), ApiSteps::results(list)->size());
            CPPUNIT_ASSERT_MESSAGE(uri + " has no next link", !list->isNull("next"));
            CPPUNIT_ASSERT_MESSAGE(
                uri + ": next " + list->getValue<std::string>("next"),
                list->getValue<std::string>("next").rfind("/api/v2/applications/?page=2", 0) == 0);
        }
        const auto small = ApiSteps::getOk(api(), listUri("page_size=10"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(10), ApiSteps::results(small)->size());
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?page=2&page_size=10"),
                             small->getValue<std::string>("next"));
    }

    void testPageLast() {
        createNumbered(27);
        const auto last = ApiSteps::getOk(api(), listUri("page=last&page_size=10"));
        CPPUNIT_ASSERT_EQUAL(27LL, ApiSteps::count(last));
        CPPUNIT_ASSERT_EQUAL(std::size_t(7), ApiSteps::results(last)->size());
        CPPUNIT_ASSERT_EQUAL(std::string("app-021"), ApiSteps::column(last, "name").front());
        CPPUNIT_ASSERT(last->isNull("next"));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?page=2&page_size=10"),
                             last->getValue<std::string>("previous"));

        const auto lastDefault = ApiSteps::getOk(api(), listUri("page=last"));
        CPPUNIT_ASSERT_EQUAL(names({"app-026", "app-027"}), names(ApiSteps::column(lastDefault, "name")));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/"),
                             lastDefault->getValue<std::string>("previous"));

        // On an empty result, the last page is page 1.
        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(listUri("page=last&name=nothing")));
    }

    void testInvalidPageIs404() {
        createNumbered(3);
        for (const char* page : {"2", "0", "-1", "abc", "1.0", "99999999999999999999999"}) {
            const std::string uri = listUri(std::string("page=") + page);
            APPREG_ASSERT_RESPONSE(404, R"({"detail": "Invalid page."})", api().get(uri));
        }
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "Invalid page."})",
                               api().get(listUri("page=4&page_size=1")));
        APPREG_ASSERT_STATUS(200, api().get(listUri("page=3&page_size=1")));
        // No application at all: page 2 does not exist either.
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "Invalid page."})",
                               api().get(listUri("page=2&name=nothing")));
    }

    void testLinksKeepTheQuerySorted() {
        ApiSteps::createApplication(api(), organization(), "my app 1");
        ApiSteps::createApplication(api(), organization(), "my app 2");
        ApiSteps::createApplication(api(), organization(), "my app 3");
        ApiSteps::createApplication(api(), organization(), "other");
        // Keys in a scrambled order, a space encoded as %20: the links sort the keys and use '+'.
        const auto first = ApiSteps::getOk(api(), listUri("search=my%20app&page_size=1&order_by=-name"));
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::count(first));
        CPPUNIT_ASSERT_EQUAL(names({"my app 3"}), names(ApiSteps::column(first, "name")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("/api/v2/applications/?order_by=-name&page=2&page_size=1&search=my+app"),
            first->getValue<std::string>("next"));

        const auto second = ApiSteps::getOk(api(), first->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(names({"my app 2"}), names(ApiSteps::column(second, "name")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("/api/v2/applications/?order_by=-name&page=3&page_size=1&search=my+app"),
            second->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?order_by=-name&page_size=1&search=my+app"),
                             second->getValue<std::string>("previous"));

        const auto third = ApiSteps::getOk(api(), second->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(names({"my app 1"}), names(ApiSteps::column(third, "name")));
        CPPUNIT_ASSERT(third->isNull("next"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("/api/v2/applications/?order_by=-name&page=2&page_size=1&search=my+app"),
            third->getValue<std::string>("previous"));
    }

    void testOrderBy() {
        const long long b =
            ApiSteps::createApplicationId(api(), organization(), "b", {{"description", R"("2")"}});
        const long long a =
            ApiSteps::createApplicationId(api(), organization(), "a", {{"description", R"("2")"}});
        const long long c =
            ApiSteps::createApplicationId(api(), organization(), "c", {{"description", R"("1")"}});
        CPPUNIT_ASSERT_EQUAL(
            names({"a", "b", "c"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=name")), "name")));
        CPPUNIT_ASSERT_EQUAL(
            names({"c", "b", "a"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=-name")), "name")));
        CPPUNIT_ASSERT_EQUAL(
            ApiSteps::joinIds({b, a, c}),
            ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), listUri("order_by=id")))));
        CPPUNIT_ASSERT_EQUAL(
            ApiSteps::joinIds({c, a, b}),
            ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), listUri("order_by=-id")))));
        // `order` is the same parameter as `order_by`.
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({c, a, b}),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), listUri("order=-id")))));
        // A comma list: description first, then name descending.
        CPPUNIT_ASSERT_EQUAL(
            names({"c", "b", "a"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=description,-name")), "name")));
        CPPUNIT_ASSERT_EQUAL(
            names({"a", "b", "c"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=-description,name")), "name")));
        // Ties on the requested field are broken by id.
        CPPUNIT_ASSERT_EQUAL(
            ApiSteps::joinIds({b, a, c}),
            ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), listUri("order_by=-description")))));
    }

    void testOrderByOrganizationName() {
        const long long beta = api().createOrganization("beta");
        const long long alpha = api().createOrganization("alpha");
        ApiSteps::createApplication(api(), beta, "x");
        ApiSteps::createApplication(api(), alpha, "y");
        ApiSteps::createApplication(api(), beta, "z");
        CPPUNIT_ASSERT_EQUAL(
            names({"y", "x", "z"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=organization__name,name")),
                                   "name")));
        CPPUNIT_ASSERT_EQUAL(
            names({"z", "x", "y"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=-organization__name,-name")),
                                   "name")));
        // Ordering by the foreign key itself uses the organization's own ordering, its name (Django's rule
        // for a relation; awx-reference.md §4.2), not its id: "beta" has the lower id here.
        CPPUNIT_ASSERT(beta < alpha);
        CPPUNIT_ASSERT_EQUAL(
            names({"y", "x", "z"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=organization,name")), "name")));
        CPPUNIT_ASSERT_EQUAL(
            names({"x", "z", "y"}),
            names(ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=-organization,name")), "name")));
    }

    void testUnknownOrderFieldIs400() {
        ApiSteps::createApplication(api(), organization(), "a");
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'foo'"})",
                               api().get(listUri("order_by=foo")));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'foo'"})",
                               api().get(listUri("order_by=name,-foo")));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'foo'"})",
                               api().get(listUri("order=foo")));
    }

    void testUnknownFilterFieldIs400() {
        ApiSteps::createApplication(api(), organization(), "a");
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'foo'"})",
                               api().get(listUri("foo=1")));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'name__foo'"})",
                               api().get(listUri("name__foo=1")));
        // The hidden model fields are not exposed through filters either.
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'updated'"})",
                               api().get(listUri("updated__gt=2000-01-01")));
    }

    void testSecretFieldsMayNotBeFilteredOrOrdered() {
        const auto app = ApiSteps::createApplication(api(), organization(), "a");
        const std::string clientId = app->getValue<std::string>("client_id");
        const char* const idForbidden = R"({"detail": "Filtering on client_id is not allowed."})";
        const char* const secretForbidden = R"({"detail": "Filtering on client_secret is not allowed."})";
        APPREG_ASSERT_RESPONSE(403, idForbidden, api().get(listUri("client_id=" + clientId)));
        APPREG_ASSERT_RESPONSE(403, idForbidden, api().get(listUri("client_id__startswith=a")));
        APPREG_ASSERT_RESPONSE(403, idForbidden, api().get(listUri("not__client_id=x")));
        APPREG_ASSERT_RESPONSE(403, secretForbidden, api().get(listUri("client_secret=x")));
        APPREG_ASSERT_RESPONSE(403, secretForbidden, api().get(listUri("client_secret__icontains=a")));
        APPREG_ASSERT_RESPONSE(403, idForbidden, api().get(listUri("order_by=client_id")));
        APPREG_ASSERT_RESPONSE(403, secretForbidden, api().get(listUri("order_by=-client_secret")));
        APPREG_ASSERT_RESPONSE(403, idForbidden, api().get(listUri("order_by=name,client_id")));
    }

    void testSearch() {
        ApiSteps::createApplication(api(), organization(), "Alpha Service",
                                    {{"description", R"("handles billing")"}});
        ApiSteps::createApplication(api(), organization(), "beta tool",
                                    {{"description", R"("Billing helper")"}});
        ApiSteps::createApplication(api(), organization(), "gamma", {{"description", R"("unrelated")"}});
        const auto search = [this](const std::string& query) {
            return names(
                ApiSteps::column(ApiSteps::getOk(api(), listUri("order_by=name&search=" + query)), "name"));
        };
        // One term, in the description, case-insensitively.
        CPPUNIT_ASSERT_EQUAL(names({"Alpha Service", "beta tool"}), search("BILLING"));
        // In the name.
        CPPUNIT_ASSERT_EQUAL(names({"gamma"}), search("amm"));
        // Terms are ANDed, each may match either field.
        CPPUNIT_ASSERT_EQUAL(names({"beta tool"}), search("billing+beta"));
        CPPUNIT_ASSERT_EQUAL(names({"beta tool"}), search("billing%20helper"));
        CPPUNIT_ASSERT_EQUAL(names({"beta tool"}), search("helper,billing"));
        CPPUNIT_ASSERT_EQUAL(names({}), search("billing+gamma"));
        // A quoted phrase stays together: "alpha service" is in one name, "service handles" in no field.
        CPPUNIT_ASSERT_EQUAL(names({"Alpha Service"}), search(ApiSteps::encode("\"alpha service\"")));
        CPPUNIT_ASSERT_EQUAL(names({}), search(ApiSteps::encode("\"service handles\"")));
        CPPUNIT_ASSERT_EQUAL(names({"Alpha Service", "beta tool"}),
                             search(ApiSteps::encode("\"billing\" l")));
        // No match at all, and an empty search (no restriction).
        CPPUNIT_ASSERT_EQUAL(names({}), search("nothing"));
        CPPUNIT_ASSERT_EQUAL(names({"Alpha Service", "beta tool", "gamma"}), search(""));
        // The wildcard characters of LIKE match themselves only.
        CPPUNIT_ASSERT_EQUAL(names({}), search("%25"));
        CPPUNIT_ASSERT_EQUAL(names({}), search("_"));
    }

    void testStringLookups() {
        createLookupFixture();
        const auto filter = [this](const std::string& query) { return filtered(query); };
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("name=alpha"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("name__exact=alpha"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("name=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("name__iexact=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "gamma-alpha"}), filter("name__contains=alpha"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("name__contains=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "gamma-alpha"}), filter("name__icontains=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta"}), filter("name__startswith=B"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("name__startswith=b"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta"}), filter("name__istartswith=b"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "gamma-alpha"}), filter("name__endswith=alpha"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("name__endswith=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "gamma-alpha"}), filter("name__iendswith=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("description=First%20App"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("description=First+App"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "delta"}), filter("description="));
        CPPUNIT_ASSERT_EQUAL(names({"Beta"}), filter("redirect_uris__icontains=B.EXAMPLE"));
        // LIKE wildcards in a value match themselves only.
        CPPUNIT_ASSERT_EQUAL(names({}), filter("name__contains=%25"));
        CPPUNIT_ASSERT_EQUAL(names({"gamma-alpha"}), filter("name__contains=a-a"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("name__contains=a_a"));
        // isnull on a string that is never null.
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta", "gamma-alpha", "delta"}),
                             filter("description__isnull=false"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("description__isnull=true"));
    }

    void testNumericAndSetLookups() {
        const std::vector<long long> ids = createLookupFixture();  // alpha, Beta, gamma-alpha, delta
        const auto filter = [this](const std::string& query) { return filtered(query); };
        const std::string second = std::to_string(ids[1]);
        CPPUNIT_ASSERT_EQUAL(names({"Beta"}), filter("id=" + second));
        CPPUNIT_ASSERT_EQUAL(names({"gamma-alpha", "delta"}), filter("id__gt=" + second));
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "gamma-alpha", "delta"}), filter("id__gte=" + second));
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("id__lt=" + second));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta"}), filter("id__lte=" + second));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "gamma-alpha"}),
                             filter("id__in=" + std::to_string(ids[2]) + "," + std::to_string(ids[0])));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta"}), filter("name__in=alpha,Beta,nothing"));
        CPPUNIT_ASSERT_EQUAL(names({"gamma-alpha"}), filter("id__in=" + std::to_string(ids[2]) + ",99999"));
        // A percent-encoded comma separates values as well.
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "gamma-alpha"}),
                             filter("id__in=" + std::to_string(ids[0]) + "%2C" + std::to_string(ids[2])));
        // Several filters are ANDed.
        CPPUNIT_ASSERT_EQUAL(names({"gamma-alpha"}),
                             filter("name__icontains=alpha&id__gt=" + std::to_string(ids[0])));
    }

    void testChoiceBooleanAndRelatedFilters() {
        createLookupFixture();
        const auto filter = [this](const std::string& query) { return filtered(query); };
        CPPUNIT_ASSERT_EQUAL(names({"alpha"}), filter("client_type=public"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "gamma-alpha", "delta"}), filter("client_type=confidential"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta"}), filter("authorization_grant_type=authorization-code"));
        for (const char* yes : {"true", "True", "1", "t"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(yes, names({"alpha", "delta"}),
                                         filter(std::string("skip_authorization=") + yes));
        }
        for (const char* no : {"false", "False", "0", "f"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(no, names({"Beta", "gamma-alpha"}),
                                         filter(std::string("skip_authorization=") + no));
        }
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta", "gamma-alpha"}),
                             filter("organization=" + std::to_string(organization())));
        CPPUNIT_ASSERT_EQUAL(names({"delta"}), filter("organization=" + std::to_string(other_)));
        CPPUNIT_ASSERT_EQUAL(names({"delta"}), filter("organization__id=" + std::to_string(other_)));
        CPPUNIT_ASSERT_EQUAL(names({"delta"}), filter("organization__name=Other%20Org"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta", "gamma-alpha"}), filter("organization__name=test-org"));
        CPPUNIT_ASSERT_EQUAL(names({"delta"}), filter("organization__name__icontains=other"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("organization=99999"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("organization__name=nobody"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta", "gamma-alpha", "delta"}),
                             filter("organization__isnull=false"));
    }

    void testNotPrefix() {
        createLookupFixture();
        const auto filter = [this](const std::string& query) { return filtered(query); };
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "gamma-alpha", "delta"}), filter("not__name=alpha"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "delta"}), filter("not__name__icontains=ALPHA"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "gamma-alpha", "delta"}), filter("not__client_type=public"));
        CPPUNIT_ASSERT_EQUAL(names({"Beta", "gamma-alpha"}), filter("not__skip_authorization=true"));
        CPPUNIT_ASSERT_EQUAL(names({"alpha", "Beta", "gamma-alpha"}),
                             filter("not__organization__name=Other%20Org"));
        // A filter and a negated one together.
        CPPUNIT_ASSERT_EQUAL(names({"gamma-alpha"}), filter("name__contains=alpha&not__client_type=public"));
        // As in AWX, the prefix is taken off before the field is looked up.
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2Application has no field named 'foo'"})",
                               api().get(listUri("not__foo=1")));
    }

    void testFilterValueErrors() {
        ApiSteps::createApplication(api(), organization(), "a");
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "Unable to convert \"maybe\" to boolean"})",
                               api().get(listUri("skip_authorization=maybe")));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "Invalid organization id: abc"})",
                               api().get(listUri("organization=abc")));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "cannot provide empty value for __in"})",
                               api().get(listUri("id__in=")));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "[\"“abc” value must be an integer.\"]"})",
                               api().get(listUri("id=abc")));
    }

    void testDateTimeFilters() {
        const auto app = ApiSteps::createApplication(api(), organization(), "dated");
        const std::string created = app->getValue<std::string>("created");  // YYYY-MM-DDTHH:MM:SS.ffffffZ
        const std::string day = created.substr(0, 10);
        const auto filter = [this](const std::string& query) { return filtered(query); };
        // The value as the API shows it.
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("created=" + created));
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("created__gte=" + created));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("created__gt=" + created));
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("created__lte=" + created));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("created__lt=" + created));
        // A date alone is its midnight (UTC).
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("created__gte=" + day));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("created__lt=" + day));
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("created__gt=2000-01-01"));
        // Django's own datetime format (a space, not a T): the last microsecond of the creation day is after
        // the creation instant. Compared as datetimes, not as text.
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("created__lte=" + day + "%2023:59:59.999999"));
        CPPUNIT_ASSERT_EQUAL(names({"dated"}), filter("modified__lte=" + day + "%2023:59:59.999999"));
        CPPUNIT_ASSERT_EQUAL(names({}), filter("created__gt=" + day + "%2023:59:59.999999"));
    }

    void testInvalidDateTimeFilterIs400() {
        ApiSteps::createApplication(api(), organization(), "dated");
        // Something that is no datetime at all is Django's 400, as AWX passes it through.
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"detail": "[\"“garbage” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.\"]"})",
            api().get(listUri("created__gt=garbage")));
    }

    void testUnofferedLookupsAreUnknownFields() {
        ApiSteps::createApplication(api(), organization(), "a");
        for (const char* key : {"name__regex", "name__iregex"}) {
            APPREG_ASSERT_RESPONSE(
                400, std::string(R"({"detail": "OAuth2Application has no field named ')") + key + "'\"}",
                api().get(listUri(std::string(key) + "=a")));
        }
        // or__ and chain__ are not offered either: a 400 naming an unknown field (which part of the key it
        // names is not specified), never a silently ignored filter.
        for (const char* key : {"or__name", "chain__name"}) {
            const FcgiResponse response = api().get(listUri(std::string(key) + "=a"));
            APPREG_ASSERT_STATUS(400, response);
            const std::string detail =
                JsonAssert::parseObject(response.body)->getValue<std::string>("detail");
            CPPUNIT_ASSERT_MESSAGE(response.describe(),
                                   detail.rfind("OAuth2Application has no field named '", 0) == 0);
        }
    }

    void testTypeFilter() {
        ApiSteps::createApplication(api(), organization(), "a");
        ApiSteps::createApplication(api(), organization(), "b");
        CPPUNIT_ASSERT_EQUAL(2LL, ApiSteps::countOf(api(), listUri("type=o_auth2_application")));
        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(listUri("type=organization")));
        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(listUri("type=foo")));
    }

    void testCountDisabled() {
        ApiSteps::createApplication(api(), organization(), "b");
        ApiSteps::createApplication(api(), organization(), "a");
        const auto list = ApiSteps::getOk(api(), listUri("count_disabled=1"));
        APPREG_ASSERT_KEYS(std::vector<std::string>{"results"}, list);
        CPPUNIT_ASSERT_EQUAL(names({"a", "b"}), names(ApiSteps::column(list, "name")));
    }

private:
    /// app-001 ... app-<n> in the fixture's organization, created in order.
    void createNumbered(int n) {
        for (int i = 1; i <= n; ++i) {
            char name[16];
            std::snprintf(name, sizeof name, "app-%03d", i);
            ApiSteps::createApplication(api(), organization(), name);
        }
    }

    /// alpha, Beta, gamma-alpha in test-org and delta in "Other Org"; returns their ids in that order.
    std::vector<long long> createLookupFixture() {
        std::vector<long long> ids;
        ids.push_back(ApiSteps::createApplicationId(api(), organization(), "alpha",
                                                    {{"description", R"("First App")"},
                                                     {"client_type", R"("public")"},
                                                     {"skip_authorization", "true"}}));
        ids.push_back(ApiSteps::createApplicationId(api(), organization(), "Beta",
                                                    {{"authorization_grant_type", R"("authorization-code")"},
                                                     {"redirect_uris", R"("https://b.example/cb")"}}));
        ids.push_back(ApiSteps::createApplicationId(api(), organization(), "gamma-alpha",
                                                    {{"description", R"("third")"}}));
        other_ = api().createOrganization("Other Org");
        ids.push_back(
            ApiSteps::createApplicationId(api(), other_, "delta", {{"skip_authorization", "true"}}));
        return ids;
    }

    /// The worker remembers a filtered list's count until something is written; a write by the worker itself
    /// or by another process (here: sqlite3 on the file) must show at once.
    void testFilteredCountFollowsEveryWrite() {
        createLookupFixture();
        const auto count = [this] {
            const FcgiResponse response = api().get(listUri("client_type=public"));
            APPREG_ASSERT_STATUS(200, response);
            return JsonAssert::parseObject(response.body)->getValue<long long>("count");
        };
        CPPUNIT_ASSERT_EQUAL(1LL, count());
        CPPUNIT_ASSERT_EQUAL(1LL, count());  // asked again, nothing written
        ApiSteps::createApplication(api(), organization(), "epsilon", {{"client_type", R"("public")"}});
        CPPUNIT_ASSERT_EQUAL(2LL, count());
        DatabaseRows(worker().databasePath())
            .query("UPDATE applications SET client_type = 'public' WHERE name = 'Beta'");
        CPPUNIT_ASSERT_EQUAL(3LL, count());
        DatabaseRows(worker().databasePath())
            .query("UPDATE applications SET client_type = 'confidential' WHERE name = 'alpha'");
        CPPUNIT_ASSERT_EQUAL(2LL, count());
    }

    /// The names a filtered list returns, in id order.
    std::string filtered(const std::string& query) {
        const std::string uri = listUri(query + "&order_by=id");
        const FcgiResponse response = api().get(uri);
        APPREG_ASSERT_STATUS(200, response);
        return names(ApiSteps::column(JsonAssert::parseObject(response.body), "name"));
    }

    long long other_ = 0;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApplicationListTest);
