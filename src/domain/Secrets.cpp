#include "appreg/domain/Secrets.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "appreg/domain/Sha256.h"

namespace appreg::domain {

namespace {

void fillRandom(unsigned char* buf, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");
        }
        got += static_cast<std::size_t>(r);
    }
}

const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr unsigned kAlphabetSize = 62;

}  // namespace

std::string randomAlphanumeric(std::size_t n) {
    std::string out;
    out.reserve(n);
    unsigned char buf[64];
    while (out.size() < n) {
        fillRandom(buf, sizeof buf);
        for (unsigned char b : buf) {
            // Rejection sampling: 248 = 4 * 62, so accepted bytes map uniformly onto the alphabet.
            if (b < 248 && out.size() < n) out += kAlphabet[b % kAlphabetSize];
        }
    }
    return out;
}

std::string randomHex32() {
    constexpr std::size_t kIdBytes = 16, kPoolBytes = 32 * kIdBytes;
    thread_local unsigned char pool[kPoolBytes];
    thread_local std::size_t used = kPoolBytes;
    if (used == kPoolBytes) {
        fillRandom(pool, kPoolBytes);
        used = 0;
    }
    std::string out = toHex({pool + used, kIdBytes});
    // Each byte is handed out once.
    std::fill_n(pool + used, kIdBytes, 0);
    used += kIdBytes;
    return out;
}

std::string randomBytes(std::size_t n) {
    std::string out(n, '\0');
    fillRandom(reinterpret_cast<unsigned char*>(out.data()), n);
    return out;
}

std::string sha256Hex(const std::string& data) {
    Sha256 sha;
    sha.update(data);
    return toHex(sha.finish());
}

std::string hashSecret(const std::string& secret) {
    std::string salt = randomAlphanumeric(16);
    return "sha256$" + salt + "$" + sha256Hex(salt + secret);
}

bool verifySecret(const std::string& secret, const std::string& stored) {
    auto first = stored.find('$');
    auto second = stored.find('$', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos || stored.compare(0, first, "sha256") != 0)
        return false;
    std::string salt = stored.substr(first + 1, second - first - 1);
    return constantTimeEquals(sha256Hex(salt + secret), stored.substr(second + 1));
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    // Accumulate every difference; the volatile read keeps the compiler from ending the loop early.
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    volatile unsigned char result = diff;
    return result == 0;
}

}  // namespace appreg::domain
