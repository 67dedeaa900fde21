#include "appreg/domain/Passwords.h"

#include <cstddef>
#include <sstream>
#include <string_view>
#include <vector>

#include <Poco/Base64Encoder.h>
#include <Poco/NumberParser.h>

#include "appreg/domain/Secrets.h"
#include "appreg/domain/Sha256.h"

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
    // RFC 8018 with one block (32 bytes, SHA-256's size): T = U1 ^ ... ^ Uc, U1 = HMAC(password, salt ||
    // INT(1)), Ui = HMAC(password, U(i-1)). HmacSha256 hashes the password's padded blocks once, so an
    // iteration is two compressions and no allocation. Poco's PBKDF2Engine took four compressions and five
    // allocations per iteration: 639-645 ms for Django's 600,000 on the development machine, against 298-299
    // (a Basic login the credential cache does not know, or a failed one).
    const HmacSha256 prf(password);
    std::string first = salt;
    first.append("\0\0\0\1", 4);
    Sha256::Digest u = prf.mac(first);
    Sha256::Digest digest = u;
    for (unsigned i = 1; i < iterations; ++i) {
        u = prf.mac(std::string_view(reinterpret_cast<const char*>(u.data()), u.size()));
        for (std::size_t k = 0; k < digest.size(); ++k) digest[k] ^= u[k];
    }
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
