// CppUnit runner of the unit suites. Every *Test.cpp under tests/unit/ registers its suite with
// CPPUNIT_TEST_SUITE_REGISTRATION; this runs them all, or only the one named by the first argument
// (a test path such as "RouterTest" or "RouterTest::testUnknownPath").
//
// Exit status: 0 when every test passed, 1 when one failed, 2 for an unknown test path. ctest reads it.

#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>

#include <iostream>
#include <stdexcept>

int main(int argc, char** argv) {
    CppUnit::TextUi::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
    // "file:line: Assertion" lines, which editors and CI logs link to the source.
    runner.setOutputter(new CppUnit::CompilerOutputter(&runner.result(), std::cerr));
    // "Suite::test : OK" per test, so a hang shows which test is running.
    CppUnit::BriefTestProgressListener progress;
    runner.eventManager().addListener(&progress);
    try {
        const bool ok = runner.run(argc > 1 ? argv[1] : "", false, true, false);
        return ok ? 0 : 1;
    } catch (const std::invalid_argument& e) {
        std::cerr << "unknown test path: " << (argc > 1 ? argv[1] : "") << " (" << e.what() << ")\n";
        return 2;
    }
}
