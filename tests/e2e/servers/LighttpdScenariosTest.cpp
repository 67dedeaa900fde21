// The shared end-to-end scenarios (FrontServerScenarios) through lighttpd 1.4 with conf/lighttpd.conf
// (mod_fastcgi to the worker's unix socket).

#include "FrontServerScenarios.h"

using namespace appreg::test;

class LighttpdScenariosTest : public FrontServerScenarios {
    CPPUNIT_TEST_SUITE(LighttpdScenariosTest);
    APPREG_FRONT_SERVER_SCENARIOS();
    CPPUNIT_TEST_SUITE_END();

protected:
    FrontServerKind kind() const override { return FrontServerKind::kLighttpd; }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LighttpdScenariosTest);
