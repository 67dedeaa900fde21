// The shared end-to-end scenarios (FrontServerScenarios) through nginx with conf/nginx.conf (fastcgi_pass to
// the worker's unix socket).

#include "FrontServerScenarios.h"

using namespace appreg::test;

class NginxTest : public FrontServerScenarios {
    CPPUNIT_TEST_SUITE(NginxTest);
    APPREG_FRONT_SERVER_SCENARIOS();
    CPPUNIT_TEST_SUITE_END();

protected:
    FrontServerKind kind() const override { return FrontServerKind::kNginx; }
};

CPPUNIT_TEST_SUITE_REGISTRATION(NginxTest);
