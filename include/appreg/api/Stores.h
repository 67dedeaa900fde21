#pragma once

#include "appreg/store/ActivityStreamStore.h"
#include "appreg/store/ApplicationStore.h"
#include "appreg/store/Database.h"
#include "appreg/store/OrganizationStore.h"
#include "appreg/store/TokenStore.h"
#include "appreg/store/UserStore.h"

namespace appreg::api {

/// The stores of one connection, handed to every resource of a worker thread.
struct Stores {
    Stores(store::Connection& c, store::Database& db)
        : connection(c), database(db), organizations(c), applications(c), tokens(c), activity(c), users(c) {}

    /// Runs `fn` with the stores of the writer connection, as one write of the next group commit
    /// (store::Database::write): everything `fn` does commits together, or not at all if it throws. Returns
    /// once the write is durable. Activity entries it records name this thread's actor.
    template <typename F>
    void write(F&& fn) {
        database.write([&](store::Connection& writer) {
            Stores stores(writer, database);
            stores.activity.setActor(activity.actor());
            fn(stores);
        });
    }

    store::Connection& connection;
    store::Database& database;
    store::OrganizationStore organizations;
    store::ApplicationStore applications;
    store::TokenStore tokens;
    store::ActivityStreamStore activity;
    store::UserStore users;
};

}  // namespace appreg::api
