#pragma once

namespace appreg::test {

/// The main() of the integration and end-to-end executables: runs every registered CppUnit suite, or the one
/// named by argv[1] ("Suite" or "Suite::test"), with one progress line per test and compiler-style failure
/// lines. `--except A,B [path]` leaves the suites A and B out and prints "NOT RUN here: A (N tests ...)" for
/// each (the PostgreSQL run leaves out the suites about SQLite's own files and locks). Returns 0 when all
/// passed, 1 when one failed, 2 for an unknown test path or an --except that names no suite.
class TestRunner {
public:
    static int run(int argc, char** argv);
};

}  // namespace appreg::test
