// Runs the suites of this directory (all, or the one named by the first argument); see TestRunner.

#include "TestRunner.h"

int main(int argc, char** argv) { return appreg::test::TestRunner::run(argc, argv); }
