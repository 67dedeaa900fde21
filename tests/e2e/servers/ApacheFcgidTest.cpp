// The shared end-to-end scenarios (FrontServerScenarios) through Apache 2.4 with conf/apache-fcgid.conf
// (mod_fcgid starts the worker itself, socket on fd 0).

#include "FrontServerScenarios.h"

using namespace appreg::test;

class ApacheFcgidTest : public FrontServerScenarios {
    CPPUNIT_TEST_SUITE(ApacheFcgidTest);
    APPREG_FRONT_SERVER_SCENARIOS();
    CPPUNIT_TEST_SUITE_END();

protected:
    FrontServerKind kind() const override { return FrontServerKind::kApacheFcgid; }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApacheFcgidTest);
