// The shared end-to-end scenarios (FrontServerScenarios) through Apache 2.4 with conf/apache-proxy-fcgi.conf
// (mod_proxy_fcgi to the worker's unix socket).

#include "FrontServerScenarios.h"

using namespace appreg::test;

class ApacheProxyFcgiTest : public FrontServerScenarios {
    CPPUNIT_TEST_SUITE(ApacheProxyFcgiTest);
    APPREG_FRONT_SERVER_SCENARIOS();
    CPPUNIT_TEST_SUITE_END();

protected:
    FrontServerKind kind() const override { return FrontServerKind::kApacheProxyFcgi; }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApacheProxyFcgiTest);
