#pragma once

#include "appreg/store/ActivityStreamStore.h"
#include "appreg/store/ApplicationStore.h"
#include "appreg/store/Database.h"
#include "appreg/store/OrganizationStore.h"
#include "appreg/store/TokenStore.h"

namespace appreg::api {

/// The stores of one connection, handed to every resource of a worker thread.
struct Stores {
    explicit Stores(store::Connection& c)
        : connection(c), organizations(c), applications(c), tokens(c), activity(c) {}

    store::Connection& connection;
    store::OrganizationStore organizations;
    store::ApplicationStore applications;
    store::TokenStore tokens;
    store::ActivityStreamStore activity;
};

}  // namespace appreg::api
