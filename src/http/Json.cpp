#include "appreg/http/Json.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <typeinfo>
#include <vector>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "appreg/http/ApiError.h"

namespace appreg::http::json {

namespace {

/// Length of the valid UTF-8 sequence of 2-4 bytes at `pos`, or 0 (overlong forms, surrogates and code points
/// above U+10FFFF are invalid).
std::size_t utf8SequenceAt(const std::string& s, std::size_t pos) {
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
    unsigned char c0 = b(0);
    std::size_t left = s.size() - pos;
    auto cont = [&](std::size_t i) { return i < left && (b(i) & 0xC0) == 0x80; };
    if (c0 >= 0xC2 && c0 <= 0xDF) return cont(1) ? 2 : 0;
    if (c0 >= 0xE0 && c0 <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c0 == 0xE0 && b(1) < 0xA0) return 0;   // overlong
        if (c0 == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
        return 3;
    }
    if (c0 >= 0xF0 && c0 <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c0 == 0xF0 && b(1) < 0x90) return 0;   // overlong
        if (c0 == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

/// A recursive-descent validator over the raw bytes. It builds nothing; Poco builds the value afterwards.
class SyntaxChecker {
public:
    SyntaxChecker(const std::string& text, int maxDepth) : _s(text), _maxDepth(maxDepth) {}

    std::optional<std::string> run() {
        skipSpace();
        if (!value(0)) return _error;
        skipSpace();
        if (_pos != _s.size()) {
            fail("Extra data");
            return _error;
        }
        return std::nullopt;
    }

private:
    const std::string& _s;
    int _maxDepth;
    std::size_t _pos = 0;
    std::optional<std::string> _error;

    bool fail(const std::string& reason, std::size_t at) {
        std::size_t line = 1, lineStart = 0;
        for (std::size_t i = 0; i < at && i < _s.size(); ++i) {
            if (_s[i] == '\n') {
                ++line;
                lineStart = i + 1;
            }
        }
        _error = reason + ": line " + std::to_string(line) + " column " + std::to_string(at - lineStart + 1) +
                 " (char " + std::to_string(at) + ")";
        return false;
    }
    bool fail(const std::string& reason) { return fail(reason, _pos); }

    bool atEnd() const { return _pos >= _s.size(); }
    char peek() const { return _s[_pos]; }

    void skipSpace() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++_pos;
    }

    bool value(int depth) {
        if (atEnd()) return fail("Expecting value");
        char c = peek();
        if (c == '{') return object(depth + 1);
        if (c == '[') return array(depth + 1);
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (literal("true") || literal("false") || literal("null")) return true;
        return fail("Expecting value");
    }

    bool literal(const char* word) {
        std::size_t n = std::char_traits<char>::length(word);
        if (_s.compare(_pos, n, word) == 0) {
            _pos += n;
            return true;
        }
        return false;
    }

    bool object(int depth) {
        if (depth > _maxDepth) return fail("Nesting deeper than " + std::to_string(_maxDepth) + " levels");
        ++_pos;  // '{'
        skipSpace();
        if (!atEnd() && peek() == '}') {
            ++_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            if (atEnd() || peek() != '"') return fail("Expecting property name enclosed in double quotes");
            if (!string()) return false;
            skipSpace();
            if (atEnd() || peek() != ':') return fail("Expecting ':' delimiter");
            ++_pos;
            skipSpace();
            if (!value(depth)) return false;
            skipSpace();
            if (atEnd()) return fail("Expecting ',' delimiter");
            if (peek() == '}') {
                ++_pos;
                return true;
            }
            if (peek() != ',') return fail("Expecting ',' delimiter");
            ++_pos;
        }
    }

    bool array(int depth) {
        if (depth > _maxDepth) return fail("Nesting deeper than " + std::to_string(_maxDepth) + " levels");
        ++_pos;  // '['
        skipSpace();
        if (!atEnd() && peek() == ']') {
            ++_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            if (!value(depth)) return false;
            skipSpace();
            if (atEnd()) return fail("Expecting ',' delimiter");
            if (peek() == ']') {
                ++_pos;
                return true;
            }
            if (peek() != ',') return fail("Expecting ',' delimiter");
            ++_pos;
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(unsigned& out) {
        if (_pos + 4 > _s.size()) return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            int h = hex(_s[_pos + i]);
            if (h < 0) return false;
            out = out * 16 + static_cast<unsigned>(h);
        }
        _pos += 4;
        return true;
    }

    std::size_t utf8Sequence() const { return utf8SequenceAt(_s, _pos); }

    bool string() {
        std::size_t start = _pos;
        ++_pos;  // '"'
        for (;;) {
            if (atEnd()) return fail("Unterminated string starting at", start);
            unsigned char c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++_pos;
                return true;
            }
            if (c < 0x20) return fail("Invalid control character at");
            if (c == '\\') {
                std::size_t escAt = _pos;
                ++_pos;
                if (atEnd()) return fail("Unterminated string starting at", start);
                char e = peek();
                if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                    e == 't') {
                    ++_pos;
                } else if (e == 'u') {
                    ++_pos;
                    unsigned cp;
                    if (!hex4(cp)) return fail("Invalid \\uXXXX escape", escAt);
                    if (cp >= 0xDC00 && cp <= 0xDFFF)
                        return fail("Invalid \\uXXXX escape: lone surrogate", escAt);
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        unsigned low;
                        if (_s.compare(_pos, 2, "\\u") != 0)
                            return fail("Invalid \\uXXXX escape: lone surrogate", escAt);
                        _pos += 2;
                        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
                            return fail("Invalid \\uXXXX escape: lone surrogate", escAt);
                    }
                } else {
                    return fail("Invalid \\escape", escAt);
                }
            } else if (c < 0x80) {
                ++_pos;
            } else {
                std::size_t n = utf8Sequence();
                if (n == 0) return fail("Invalid UTF-8");
                _pos += n;
            }
        }
    }

    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    bool number() {
        std::size_t start = _pos;
        if (peek() == '-') ++_pos;
        if (atEnd() || !isDigit(peek())) return fail("Expecting value", start);
        if (peek() == '0') {
            ++_pos;
            if (!atEnd() && isDigit(peek())) return fail("Extra data");
        } else {
            while (!atEnd() && isDigit(peek())) ++_pos;
        }
        bool integral = true;
        if (!atEnd() && peek() == '.') {
            integral = false;
            ++_pos;
            if (atEnd() || !isDigit(peek())) return fail("Expecting value", start);
            while (!atEnd() && isDigit(peek())) ++_pos;
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            integral = false;
            ++_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-')) ++_pos;
            if (atEnd() || !isDigit(peek())) return fail("Expecting value", start);
            while (!atEnd() && isDigit(peek())) ++_pos;
        }
        std::string token = _s.substr(start, _pos - start);
        if (integral) {
            errno = 0;
            char* end = nullptr;
            std::strtoll(token.c_str(), &end, 10);
            if (errno == ERANGE) return fail("Integer out of range", start);
        } else {
            errno = 0;
            char* end = nullptr;
            double d = std::strtod(token.c_str(), &end);
            if (errno == ERANGE && std::isinf(d)) return fail("Number out of range", start);
        }
        return true;
    }
};

}  // namespace

bool validUtf8(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = utf8SequenceAt(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::optional<std::string> syntaxError(const std::string& text, int maxDepth) {
    return SyntaxChecker(text, maxDepth).run();
}

Poco::Dynamic::Var parseBody(const std::string& body) {
    if (body.empty()) return newObject();  // an empty body is {} (AWX)
    if (auto err = syntaxError(body)) throw ApiError::detail(400, "JSON parse error - " + *err);
    std::size_t b = body.find_first_not_of(" \t\r\n");
    if (body[b] != '{') {
        std::size_t e = body.find_last_not_of(" \t\r\n");
        if (body.compare(b, e - b + 1, "null") == 0) return Poco::Dynamic::Var();
        throw ApiError::detail(400, "JSON parse error - not a JSON object");
    }
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // keep the document's key order
        parser.setDepth(kMaxDepth + 1);
        return parser.parse(body);
    } catch (const Poco::Exception& e) {
        // The syntax check accepted it, so this is a Poco limitation; refuse rather than guess.
        throw ApiError::detail(400, "JSON parse error - " + std::string("unsupported JSON"));
    }
}

Poco::JSON::Object::Ptr newObject() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::JSON::Array::Ptr newArray() { return new Poco::JSON::Array(); }

namespace {

void writeValue(const Poco::Dynamic::Var& value, std::string& out);

/// As Poco::toJSON: the quote, the backslash and control characters escaped (\b \t \n \f \r, else \u00XX),
/// everything else (UTF-8 included) as it is.
void writeString(const std::string& text, std::string& out) {
    static const char* const kHex = "0123456789ABCDEF";
    out += '"';
    std::size_t plain = 0;  // start of the run not yet copied
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text, plain, i - plain);
        plain = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
        }
    }
    out.append(text, plain, std::string::npos);
    out += '"';
}

void writeObject(const Poco::JSON::Object& object, std::string& out) {
    // The values by key (the object's map is sorted by key), then the keys in insertion order.
    std::vector<std::pair<const std::string*, const Poco::Dynamic::Var*>> byKey;
    byKey.reserve(object.size());
    for (auto it = object.begin(); it != object.end(); ++it) byKey.emplace_back(&it->first, &it->second);
    out += '{';
    bool first = true;
    for (const auto& name : object.getNames()) {
        auto found =
            std::lower_bound(byKey.begin(), byKey.end(), name,
                             [](const auto& entry, const std::string& key) { return *entry.first < key; });
        if (!first) out += ',';
        first = false;
        writeString(name, out);
        out += ':';
        writeValue(*found->second, out);
    }
    out += '}';
}

void writeValue(const Poco::Dynamic::Var& value, std::string& out) {
    if (value.isEmpty()) {
        out += "null";
        return;
    }
    const std::type_info& type = value.type();
    if (type == typeid(std::string)) {
        writeString(value.extract<std::string>(), out);
    } else if (type == typeid(Poco::JSON::Object::Ptr)) {
        writeObject(*value.extract<Poco::JSON::Object::Ptr>(), out);
    } else if (type == typeid(Poco::JSON::Array::Ptr)) {
        const auto& array = *value.extract<Poco::JSON::Array::Ptr>();
        out += '[';
        for (std::size_t i = 0; i < array.size(); ++i) {
            if (i) out += ',';
            writeValue(array.get(static_cast<unsigned int>(i)), out);
        }
        out += ']';
    } else if (type == typeid(bool)) {
        out += value.extract<bool>() ? "true" : "false";
    } else if (type == typeid(Raw)) {
        out += value.extract<Raw>().text;
    } else if (value.isInteger() && value.isSigned()) {
        out += std::to_string(value.convert<Poco::Int64>());
    } else if (value.isInteger()) {
        out += std::to_string(value.convert<Poco::UInt64>());
    } else {
        // Anything else (doubles, by-value objects) as Poco writes it.
        std::ostringstream text;
        Poco::JSON::Stringifier::condense(value, text);
        out += text.str();
    }
}

}  // namespace

std::string stringify(const Poco::Dynamic::Var& value) {
    // Written into one string rather than through Poco's ostream-based Stringifier, which cost an eighth of a
    // detail request (issue 7's profile); the output is byte for byte the same (JsonTest).
    std::string out;
    out.reserve(1024);
    writeValue(value, out);
    return out;
}

void Writer::separate() {
    if (_needComma) _out += ',';
    _needComma = false;
}

Writer& Writer::beginObject() {
    separate();
    _out += '{';
    return *this;
}

Writer& Writer::endObject() {
    _out += '}';
    _needComma = true;
    return *this;
}

Writer& Writer::beginArray() {
    separate();
    _out += '[';
    return *this;
}

Writer& Writer::endArray() {
    _out += ']';
    _needComma = true;
    return *this;
}

Writer& Writer::key(const std::string& name) {
    separate();
    writeString(name, _out);
    _out += ':';
    return *this;
}

Writer& Writer::value(const std::string& text) {
    separate();
    writeString(text, _out);
    _needComma = true;
    return *this;
}

Writer& Writer::value(std::int64_t number) {
    separate();
    _out += std::to_string(number);
    _needComma = true;
    return *this;
}

Writer& Writer::value(bool flag) {
    separate();
    _out += flag ? "true" : "false";
    _needComma = true;
    return *this;
}

Writer& Writer::null() {
    separate();
    _out += "null";
    _needComma = true;
    return *this;
}

}  // namespace appreg::http::json
