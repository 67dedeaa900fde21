#include "ApiSteps.h"

#include "DatabaseRows.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace appreg::test {

std::string ApiSteps::path(const std::string& collection, long long id) {
    return "/api/v2/" + collection + "/" + std::to_string(id) + "/";
}

std::string ApiSteps::applicationBody(long long organization, const std::string& name,
                                      const Fields& overrides) {
    std::string body = ApiClient::seedApplication(organization, name);
    for (const auto& [key, value] : overrides) {
        body = JsonAssert::with(body, key, value);
    }
    return body;
}

Poco::JSON::Object::Ptr ApiSteps::createApplication(const ApiClient& api, long long organization,
                                                    const std::string& name, const Fields& overrides) {
    const std::string body = applicationBody(organization, name, overrides);
    return expect(api.post(ApiClient::kApplications, body), 201, "POST /api/v2/applications/ " + body);
}

long long ApiSteps::createApplicationId(const ApiClient& api, long long organization, const std::string& name,
                                        const Fields& overrides) {
    return createApplication(api, organization, name, overrides)->getValue<long long>("id");
}

Poco::JSON::Object::Ptr ApiSteps::createToken(const ApiClient& api, long long application,
                                              const std::string& json) {
    const std::string uri = applicationPath(application) + "tokens/";
    return expect(api.post(uri, json), 201, "POST " + uri + " " + json);
}

Poco::JSON::Object::Ptr ApiSteps::expect(const FcgiResponse& response, int status, const std::string& what) {
    if (response.status != status) {
        throw std::runtime_error(what + " should answer " + std::to_string(status) + ": " +
                                 response.describe());
    }
    try {
        return JsonAssert::parseObject(response.body);
    } catch (const std::exception& e) {
        throw std::runtime_error(what + ": " + e.what());
    }
}

Poco::JSON::Object::Ptr ApiSteps::getOk(const ApiClient& api, const std::string& uri) {
    return expect(api.get(uri), 200, "GET " + uri);
}

Poco::JSON::Array::Ptr ApiSteps::results(const Poco::JSON::Object::Ptr& list) {
    Poco::JSON::Array::Ptr array = list->getArray("results");
    if (array.isNull()) {
        throw std::runtime_error("list body without a results array: " + JsonAssert::toJson(list));
    }
    return array;
}

std::vector<std::string> ApiSteps::column(const Poco::JSON::Object::Ptr& list, const std::string& key) {
    std::vector<std::string> values;
    const auto array = results(list);
    for (std::size_t i = 0; i < array->size(); ++i) {
        values.push_back(array->getObject(static_cast<unsigned>(i))->getValue<std::string>(key));
    }
    return values;
}

std::vector<long long> ApiSteps::ids(const Poco::JSON::Object::Ptr& list) {
    std::vector<long long> values;
    const auto array = results(list);
    for (std::size_t i = 0; i < array->size(); ++i) {
        values.push_back(array->getObject(static_cast<unsigned>(i))->getValue<long long>("id"));
    }
    return values;
}

long long ApiSteps::count(const Poco::JSON::Object::Ptr& list) {
    if (!list->has("count")) {
        throw std::runtime_error("list body without count: " + JsonAssert::toJson(list));
    }
    return list->getValue<long long>("count");
}

long long ApiSteps::countOf(const ApiClient& api, const std::string& uri) { return count(getOk(api, uri)); }

std::string ApiSteps::encode(const std::string& value) {
    std::string text;
    for (unsigned char c : value) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            text += static_cast<char>(c);
        } else {
            char buffer[4];
            std::snprintf(buffer, sizeof buffer, "%%%02X", c);
            text += buffer;
        }
    }
    return text;
}

std::string ApiSteps::queryText(const std::string& databasePath, const std::string& sql) {
    const auto values = DatabaseRows(databasePath).column(sql);
    if (values.empty()) throw std::runtime_error("\"" + sql + "\" returned no row");
    return values.front() == "<null>" ? std::string() : values.front();
}

std::string ApiSteps::sha256Hex(const std::string& data) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(data);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string ApiSteps::joinIds(const std::vector<long long>& ids, const std::string& separator) {
    std::string text;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        text += (i == 0 ? "" : separator) + std::to_string(ids[i]);
    }
    return text;
}

}  // namespace appreg::test
