#include <cppunit/extensions/HelperMacros.h>

#include "appreg/domain/ListQuery.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"
#include "appreg/store/ApplicationStore.h"

using namespace appreg;
using domain::Lookup;
using Params = std::vector<std::pair<std::string, std::string>>;

namespace {

domain::ListQuery parse(const Params& params) {
    return domain::parseListQuery(params, store::applicationListResource());
}

/// The status and body of the ApiError that parsing `params` throws.
std::string refusal(const Params& params) {
    try {
        parse(params);
    } catch (const http::ApiError& e) {
        return std::to_string(e.status()) + " " + http::json::stringify(e.body());
    }
    return "accepted";
}

}  // namespace

class ListQueryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ListQueryTest);
    CPPUNIT_TEST(testDefaults);
    CPPUNIT_TEST(testFiltersAndLookups);
    CPPUNIT_TEST(testRelatedAndNegated);
    CPPUNIT_TEST(testRefusals);
    CPPUNIT_TEST(testOrderBy);
    CPPUNIT_TEST(testSearchTerms);
    CPPUNIT_TEST(testPageSize);
    CPPUNIT_TEST(testResolvePage);
    CPPUNIT_TEST(testPageLinks);
    CPPUNIT_TEST_SUITE_END();

public:
    void testDefaults() {
        auto q = parse({});
        CPPUNIT_ASSERT_EQUAL(25, q.pageSize);
        CPPUNIT_ASSERT(q.filters.empty());
        // organization name, then name, then id
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), q.order.size());
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), q.order[0].ref.relation);
        CPPUNIT_ASSERT_EQUAL(std::string("name"), q.order[0].ref.field->name);
        CPPUNIT_ASSERT_EQUAL(std::string("name"), q.order[1].ref.field->name);
        CPPUNIT_ASSERT_EQUAL(std::string("id"), q.order[2].ref.field->name);
        // reserved parameters are not filters
        CPPUNIT_ASSERT(parse({{"format", "json"}, {"no_truncate", "1"}, {"type", "o_auth2_application"}}).filters.empty());
        CPPUNIT_ASSERT(parse({{"type", "user"}}).matchesNothing);
    }

    void testFiltersAndLookups() {
        auto q = parse({{"name", "x"}, {"name__icontains", "Y"}, {"id__in", "1,2,3"}, {"skip_authorization", "true"},
                        {"organization", "1"}, {"description__isnull", "false"}, {"id__gte", "5"}});
        CPPUNIT_ASSERT_EQUAL(std::size_t(7), q.filters.size());
        CPPUNIT_ASSERT(q.filters[0].lookup == Lookup::Exact);
        CPPUNIT_ASSERT(q.filters[1].lookup == Lookup::IContains);
        CPPUNIT_ASSERT(q.filters[2].lookup == Lookup::In);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), q.filters[2].values.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), q.filters[2].values[2].extract<std::int64_t>());
        CPPUNIT_ASSERT_EQUAL(true, q.filters[3].values[0].extract<bool>());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), q.filters[4].values[0].extract<std::int64_t>());
        CPPUNIT_ASSERT(q.filters[5].lookup == Lookup::IsNull);
        CPPUNIT_ASSERT(q.filters[6].lookup == Lookup::Gte);
    }

    void testRelatedAndNegated() {
        auto q = parse({{"organization__name", "Default"}, {"not__client_type", "public"},
                        {"organization__name__istartswith", "def"}});
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), q.filters[0].ref.relation);
        CPPUNIT_ASSERT_EQUAL(std::string("name"), q.filters[0].ref.field->name);
        CPPUNIT_ASSERT(q.filters[1].negate);
        CPPUNIT_ASSERT(q.filters[2].lookup == Lookup::IStartsWith);
    }

    void testRefusals() {
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"OAuth2Application has no field named 'foo'\"}"),
                             refusal({{"foo", "1"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"OAuth2Application has no field named 'url'\"}"),
                             refusal({{"url", "1"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("403 {\"detail\":\"Filtering on client_id is not allowed.\"}"),
                             refusal({{"client_id", "x"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("403 {\"detail\":\"Filtering on client_secret is not allowed.\"}"),
                             refusal({{"client_secret__startswith", "a"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("403 {\"detail\":\"Filtering on client_id is not allowed.\"}"),
                             refusal({{"order_by", "-client_id"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"Invalid organization id: abc\"}"),
                             refusal({{"organization", "abc"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"Unable to convert \\\"maybe\\\" to boolean\"}"),
                             refusal({{"skip_authorization", "maybe"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"cannot provide empty value for __in\"}"),
                             refusal({{"id__in", ""}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"[\\\"\xe2\x80\x9c" "abc\xe2\x80\x9d value must be an integer.\\\"]\"}"),
                             refusal({{"id", "abc"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"OAuth2Application has no field named 'name__regex'\"}"),
                             refusal({{"name__regex", "x"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"Organization has no field named 'bogus'\"}"),
                             refusal({{"organization__bogus", "x"}}));
    }

    void testOrderBy() {
        auto q = parse({{"order_by", "-name,organization__name"}});
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), q.order.size());
        CPPUNIT_ASSERT(q.order[0].descending);
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), q.order[1].ref.relation);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), parse({{"order", "id"}}).order.size());
        CPPUNIT_ASSERT_EQUAL(std::string("400 {\"detail\":\"OAuth2Application has no field named 'nope'\"}"),
                             refusal({{"order_by", "nope"}}));
    }

    void testSearchTerms() {
        CPPUNIT_ASSERT((std::vector<std::string>{"a", "b c", "d"}) == domain::splitSearchTerms("a,\"b c\"  d"));
        CPPUNIT_ASSERT(domain::splitSearchTerms(" , ").empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), parse({{"search", "x y"}}).searchTerms.size());
    }

    void testPageSize() {
        CPPUNIT_ASSERT_EQUAL(10, parse({{"page_size", "10"}}).pageSize);
        CPPUNIT_ASSERT_EQUAL(25, parse({{"page_size", "0"}}).pageSize);
        CPPUNIT_ASSERT_EQUAL(25, parse({{"page_size", "-3"}}).pageSize);
        CPPUNIT_ASSERT_EQUAL(25, parse({{"page_size", "abc"}}).pageSize);
        auto capped = parse({{"page_size", "500"}});
        CPPUNIT_ASSERT_EQUAL(200, capped.pageSize);
        CPPUNIT_ASSERT(capped.pageSizeCapped);
    }

    void testResolvePage() {
        auto q = parse({{"page", "3"}, {"page_size", "10"}});
        auto w = domain::resolvePage(q, 25);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), w.number);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(20), w.offset);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), domain::resolvePage(parse({{"page", "last"}, {"page_size", "10"}}), 25).number);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), domain::resolvePage(parse({}), 0).number);  // empty list: one empty page
        for (const char* bad : {"4", "0", "-1", "x", ""}) {
            CPPUNIT_ASSERT_THROW_MESSAGE(bad, domain::resolvePage(parse({{"page", bad}, {"page_size", "10"}}), 25),
                                         http::ApiError);
        }
    }

    void testPageLinks() {
        Params params{{"search", "a b"}, {"page", "2"}, {"name", "x/y"}};
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?name=x%2Fy&page=3&search=a+b"),
                             domain::pageLink("/api/v2/applications/", params, 3, false));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/?name=x%2Fy&search=a+b"),
                             domain::pageLink("/api/v2/applications/", params, 0, false));
        CPPUNIT_ASSERT_EQUAL(std::string("/x/?page=2&page_size=200"),
                             domain::pageLink("/x/", {{"page_size", "1000"}}, 2, true));
        CPPUNIT_ASSERT_EQUAL(std::string("/x/"), domain::pageLink("/x/", {{"page", "2"}}, 0, false));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ListQueryTest);
