#pragma once

#include "JsonAssert.h"

#include <cppunit/Asserter.h>
#include <cppunit/SourceLine.h>

#include <string>

namespace appreg::test {

/// Assertions on a response (FcgiResponse or HttpResponse). The failure message always carries the whole
/// response, so a failing test shows what the worker answered. Use the macros below, which evaluate the
/// response once.
class ResponseAssert {
public:
    template <class Response>
    static void assertStatus(int expected, const Response& response, const CppUnit::SourceLine& line) {
        if (response.status != expected) {
            CppUnit::Asserter::failNotEqual(std::to_string(expected), std::to_string(response.status), line,
                                            CppUnit::AdditionalMessage(response.describe()),
                                            "unexpected HTTP status");
        }
    }

    template <class Response>
    static void assertResponse(int expectedStatus, const std::string& expectedJson, const Response& response,
                               const CppUnit::SourceLine& line) {
        assertStatus(expectedStatus, response, line);
        JsonAssert::assertEqual(expectedJson, response.body, line, response.describe());
    }
};

}  // namespace appreg::test

/// The HTTP status is `expected`.
#define APPREG_ASSERT_STATUS(expected, actual) \
    ::appreg::test::ResponseAssert::assertStatus((expected), (actual), CPPUNIT_SOURCELINE())

/// The status is `expectedStatus` and the body is exactly the JSON document `expectedJson` (key order
/// included).
#define APPREG_ASSERT_RESPONSE(expectedStatus, expectedJson, actual)                           \
    ::appreg::test::ResponseAssert::assertResponse((expectedStatus), (expectedJson), (actual), \
                                                   CPPUNIT_SOURCELINE())
