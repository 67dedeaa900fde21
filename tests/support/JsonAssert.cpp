#include "JsonAssert.h"

#include <Poco/Exception.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cppunit/Asserter.h>
#include <cppunit/Message.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace appreg::test {

namespace {

Poco::Dynamic::Var parse(const std::string& json) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(json);
}

std::string stringify(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    const int options = Poco::JSON_PRESERVE_KEY_ORDER | Poco::JSON_WRAP_STRINGS;
    Poco::JSON::Stringifier::stringify(value, out, 0, -1, options);
    return out.str();
}

// Like stringify, but a float always shows as one (Poco writes 1.0 as 1), so types compare too and a body
// built from a float still sends a float.
std::string canonicalValue(const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) {
        return "null";
    }
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        std::string text = "{";
        for (const std::string& name : object->getNames()) {
            text += (text.size() > 1 ? "," : "") + stringify(name) + ":" + canonicalValue(object->get(name));
        }
        return text + "}";
    }
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto array = value.extract<Poco::JSON::Array::Ptr>();
        std::string text = "[";
        for (std::size_t i = 0; i < array->size(); ++i) {
            text += (i > 0 ? "," : "") + canonicalValue(array->get(static_cast<unsigned>(i)));
        }
        return text + "]";
    }
    if (value.isNumeric() && !value.isInteger() && !value.isBoolean()) {
        char buffer[40];
        std::snprintf(buffer, sizeof buffer, "%.17g", value.convert<double>());
        std::string text = buffer;
        return text.find_first_of(".en") == std::string::npos ? text + ".0" : text;
    }
    return stringify(value);
}

}  // namespace

Poco::JSON::Object::Ptr JsonAssert::parseObject(const std::string& body) {
    Poco::Dynamic::Var value;
    try {
        value = parse(body);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("not JSON (" + e.displayText() + "): " + body.substr(0, 2000));
    }
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
        throw std::runtime_error("not a JSON object: " + body.substr(0, 2000));
    }
    return value.extract<Poco::JSON::Object::Ptr>();
}

std::vector<std::string> JsonAssert::keys(const Poco::JSON::Object::Ptr& object) {
    // Iterating an Object walks its sorted map; getNames() follows the insertion order when it was kept.
    return object->getNames();
}

std::string JsonAssert::toJson(const Poco::Dynamic::Var& value) { return canonicalValue(value); }

std::string JsonAssert::canonical(const std::string& json) { return canonicalValue(parse(json)); }

void JsonAssert::assertEqual(const std::string& expected, const std::string& actual,
                             const CppUnit::SourceLine& line, const std::string& context) {
    const std::string wanted = canonical(expected);
    std::string got;
    try {
        got = canonical(actual);
    } catch (const Poco::Exception& e) {
        got = "<not JSON: " + e.displayText() + "> " + actual;
    }
    if (wanted != got) {
        CppUnit::Message message("JSON body differs");
        if (!context.empty()) {
            message.addDetail(context);
        }
        message.addDetail("- Expected: " + wanted);
        message.addDetail("- Actual  : " + got);
        CppUnit::Asserter::fail(message, line);
    }
}

void JsonAssert::assertKeys(const std::vector<std::string>& expected, const Poco::JSON::Object::Ptr& object,
                            const CppUnit::SourceLine& line) {
    const std::vector<std::string> actual = keys(object);
    if (actual != expected) {
        CppUnit::Message message("object keys differ (order matters)");
        message.addDetail("- Expected: " + join(expected));
        message.addDetail("- Actual  : " + join(actual));
        CppUnit::Asserter::fail(message, line);
    }
}

std::string JsonAssert::with(const std::string& object, const std::string& key,
                             const std::string& valueJson) {
    Poco::JSON::Object::Ptr target = parseObject(object);
    Poco::JSON::Object::Ptr holder = parseObject("{\"v\": " + valueJson + "}");
    target->set(key, holder->get("v"));
    return canonicalValue(target);
}

std::string JsonAssert::without(const std::string& object, const std::string& key) {
    Poco::JSON::Object::Ptr target = parseObject(object);
    target->remove(key);
    return canonicalValue(target);
}

std::string JsonAssert::quote(const std::string& text) { return stringify(Poco::Dynamic::Var(text)); }

std::string JsonAssert::join(const std::vector<std::string>& items) {
    std::string text = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        text += (i == 0 ? "" : ", ") + items[i];
    }
    return text + "]";
}

}  // namespace appreg::test
