#include "appreg/domain/Passwords.h"

#include <sstream>
#include <vector>

#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/NumberParser.h>
#include <Poco/PBKDF2Engine.h>

#include "appreg/domain/Secrets.h"
#include "appreg/domain/Sha256Engine.h"

namespace appreg::domain {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::string::size_type start = 0;
    for (;;) {
        auto end = s.find(sep, start);
        parts.push_back(s.substr(start, end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

/// Above this an imported hash would let one login burn minutes of CPU.
constexpr unsigned kMaxIterations = 10000000;

}  // namespace

std::string pbkdf2Sha256Base64(const std::string& password, const std::string& salt, unsigned iterations) {
    Poco::PBKDF2Engine<Poco::HMACEngine<Sha256Engine>> engine(salt, iterations, 32);
    engine.update(password);
    const auto& digest = engine.digest();
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
    encoder.close();
    return out.str();
}

std::string hashPassword(const std::string& password, unsigned iterations) {
    // Django's salt: 22 characters of [A-Za-z0-9] (about 131 bits).
    std::string salt = randomAlphanumeric(22);
    return "pbkdf2_sha256$" + std::to_string(iterations) + "$" + salt + "$" +
           pbkdf2Sha256Base64(password, salt, iterations);
}

bool verifyPassword(const std::string& password, const std::string& encoded) {
    auto parts = split(encoded, '$');
    if (parts.size() != 4 || parts[0] != "pbkdf2_sha256" || parts[2].empty() || parts[3].empty())
        return false;
    unsigned iterations = 0;
    if (!Poco::NumberParser::tryParseUnsigned(parts[1], iterations) || iterations == 0 ||
        iterations > kMaxIterations)
        return false;
    return constantTimeEquals(pbkdf2Sha256Base64(password, parts[2], iterations), parts[3]);
}

}  // namespace appreg::domain
