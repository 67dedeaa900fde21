#include "TestRunner.h"

#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>

#include <cppunit/TestSuite.h>

#include <csignal>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace appreg::test {

int TestRunner::run(int argc, char** argv) {
    // A worker that closes its end early must fail a test, not kill the test process.
    std::signal(SIGPIPE, SIG_IGN);
    std::set<std::string> except;
    if (argc > 2 && std::string(argv[1]) == "--except") {
        std::stringstream names(argv[2]);
        for (std::string name; std::getline(names, name, ',');) except.insert(name);
        argc -= 2;
        argv += 2;
    }
    CppUnit::TextUi::TestRunner runner;
    CppUnit::Test* all = CppUnit::TestFactoryRegistry::getRegistry().makeTest();
    if (all->countTestCases() == 0) {
        // An executable that runs nothing must not report success.
        std::cerr << "no test is registered in " << (argc > 0 ? argv[0] : "this executable") << "\n";
        delete all;
        return 1;
    }
    if (except.empty()) {
        runner.addTest(all);
    } else {
        // Every suite but those named, which are reported as not run (never as passed).
        auto* kept = new CppUnit::TestSuite("All Tests");
        std::set<std::string> found;
        for (int i = 0; i < all->getChildTestCount(); ++i) {
            CppUnit::Test* suite = all->getChildTestAt(i);
            if (except.count(suite->getName())) {
                found.insert(suite->getName());
                std::cout << "NOT RUN here: " << suite->getName() << " (" << suite->countTestCases()
                          << " tests; excluded with --except)\n";
            } else {
                kept->addTest(suite);
            }
        }
        for (const auto& name : except) {
            if (!found.count(name)) {
                std::cerr << "--except names no suite: " << name << "\n";
                return 2;
            }
        }
        // The suites now belong to `kept`, which the runner deletes; `all` would delete them a second time,
        // so it is kept (reachable, so no leak report) until the process ends.
        static CppUnit::Test* const shell = all;
        (void)shell;
        runner.addTest(kept);
    }
    runner.setOutputter(new CppUnit::CompilerOutputter(&runner.result(), std::cerr));
    CppUnit::BriefTestProgressListener progress;
    runner.eventManager().addListener(&progress);
    try {
        return runner.run(argc > 1 ? argv[1] : "", false, true, false) ? 0 : 1;
    } catch (const std::invalid_argument& e) {
        std::cerr << "unknown test path: " << (argc > 1 ? argv[1] : "") << " (" << e.what() << ")\n";
        return 2;
    }
}

}  // namespace appreg::test
