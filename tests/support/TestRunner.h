#pragma once

namespace appreg::test {

/// The main() of the integration and end-to-end executables: runs every registered CppUnit suite, or the one
/// named by argv[1] ("Suite" or "Suite::test"), with one progress line per test and compiler-style failure
/// lines. Returns 0 when all passed, 1 when one failed, 2 for an unknown test path.
class TestRunner {
public:
    static int run(int argc, char** argv);
};

}  // namespace appreg::test
