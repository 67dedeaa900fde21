#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Dynamic/Var.h>

#include "appreg/domain/FieldTable.h"

namespace appreg::domain {

/// A resource as its list sees it: the model name AWX uses in messages, its field table, the tables its
/// foreign keys reach (for `organization__name=`), its type name (for `?type=`) and its default order.
struct ListResource {
    std::string modelName;  ///< "OAuth2Application"
    std::string typeName;   ///< "o_auth2_application"
    const FieldTable* table = nullptr;
    std::map<std::string, const FieldTable*> related;        ///< FK field name -> the related table
    std::vector<std::pair<std::string, bool>> defaultOrder;  ///< field paths, descending?
};

/// Django's field lookups that appreg supports (API.md §4).
enum class Lookup {
    Exact,
    IExact,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    IsNull
};

/// A field reached from the listed resource: directly (`relation` empty) or through a foreign key.
struct FieldRef {
    std::string relation;  ///< "" or the FK field name, e.g. "organization"
    const FieldSpec* field = nullptr;
};

/// One `?field__lookup=value` condition. Values are converted to the field's type: std::string, std::int64_t,
/// or bool (isnull).
struct Filter {
    FieldRef ref;
    Lookup lookup = Lookup::Exact;
    bool negate = false;                     ///< the `not__` prefix
    std::vector<Poco::Dynamic::Var> values;  ///< one value, or several for `in`
};

struct OrderTerm {
    FieldRef ref;
    bool descending = false;
};

/// The parsed query string of a list request. Everything is validated: a ListQuery only holds whitelisted
/// fields and typed values, so the store can build SQL from it with bound parameters only.
struct ListQuery {
    std::vector<Filter> filters;           ///< ANDed
    std::vector<std::string> searchTerms;  ///< ANDed; each matches any searchable field (icontains)
    std::vector<OrderTerm> order;          ///< the requested order, or the resource's default
    std::string page = "1";                ///< raw, resolved against the count by resolvePage
    int pageSize = 25;
    bool pageSizeCapped = false;  ///< page_size was above the maximum
    bool matchesNothing = false;  ///< e.g. `?type=` naming another type
    bool countDisabled = false;   ///< `?count_disabled=1`
};

constexpr int kDefaultPageSize = 25;
constexpr int kMaxPageSize = 200;

/// Parses list parameters with AWX's rules and messages (awx-reference.md §4.2). Throws http::ApiError:
/// 400 for unknown fields, bad values and empty `__in`; 403 for filtering or ordering on a prevent_search
/// field.
ListQuery parseListQuery(const std::vector<std::pair<std::string, std::string>>& params,
                         const ListResource& resource);

/// DRF's search_smart_split: terms split on whitespace and commas, "quoted phrases" kept together.
std::vector<std::string> splitSearchTerms(const std::string& search);

/// The page actually served.
struct PageWindow {
    std::int64_t number = 1;
    std::int64_t pages = 1;
    std::int64_t offset = 0;
    int limit = kDefaultPageSize;
};

/// Resolves `page` (an integer from 1, or "last") against the row count. Throws http::ApiError 404
/// `{"detail": "Invalid page."}` for anything out of range or not a number. An empty list has one (empty)
/// page.
PageWindow resolvePage(const ListQuery& query, std::int64_t count);

/// The `next`/`previous` link: the request path with its query kept, `page` set to `page` (or removed when 0)
/// and `page_size` rewritten to the maximum when it was capped; keys sorted and re-encoded as DRF does.
std::string pageLink(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params,
                     std::int64_t page, bool pageSizeCapped);

}  // namespace appreg::domain
