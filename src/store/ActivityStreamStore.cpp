#include "appreg/store/ActivityStreamStore.h"

using namespace Poco::Data::Keywords;

namespace appreg::store {

std::int64_t ActivityStreamStore::record(const std::string& operation, const std::string& object1,
                                         std::int64_t objectId, const std::string& changes,
                                         const std::string& timestamp) {
    return translateErrors([&] {
        std::string op = operation, obj = object1, ch = changes, ts = timestamp;
        Poco::Int64 id = 0;
        _connection.session() << "INSERT INTO activity_stream (timestamp, operation, object1, object1_id, changes) "
                                 "VALUES (?, ?, ?, ?, ?) RETURNING id",
            use(ts), use(op), use(obj), use(objectId), use(ch), into(id), now;
        return static_cast<std::int64_t>(id);
    });
}

}  // namespace appreg::store
