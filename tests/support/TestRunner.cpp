#include "TestRunner.h"

#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>

#include <csignal>
#include <iostream>
#include <stdexcept>

namespace appreg::test {

int TestRunner::run(int argc, char** argv) {
    // A worker that closes its end early must fail a test, not kill the test process.
    std::signal(SIGPIPE, SIG_IGN);
    CppUnit::TextUi::TestRunner runner;
    CppUnit::Test* all = CppUnit::TestFactoryRegistry::getRegistry().makeTest();
    if (all->countTestCases() == 0) {
        // An executable that runs nothing must not report success.
        std::cerr << "no test is registered in " << (argc > 0 ? argv[0] : "this executable") << "\n";
        delete all;
        return 1;
    }
    runner.addTest(all);
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
