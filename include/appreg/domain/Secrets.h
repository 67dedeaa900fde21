#pragma once

#include <cstddef>
#include <string>

namespace appreg::domain {

/// `n` characters of `[A-Za-z0-9]`, uniformly drawn from the kernel CSPRNG (getrandom(2)), as DOT/oauthlib
/// do.
std::string randomAlphanumeric(std::size_t n);

/// 32 lower-case hex characters from the CSPRNG: request ids. Not secrets: each thread draws 512 bytes at a
/// time and hands out 16 of them per id (one getrandom(2) per 32 requests instead of one per request).
std::string randomHex32();

/// `n` bytes from the CSPRNG.
std::string randomBytes(std::size_t n);

/// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(const std::string& data);

/// The stored form of a secret: `sha256$<salt>$<hex digest of salt+secret>`, with a fresh 16-character salt.
/// The secrets are 128 random characters, so a slow hash adds nothing but CPU cost (API.md §2).
std::string hashSecret(const std::string& secret);

/// Whether `secret` matches a value made by hashSecret. The digests are compared in constant time.
bool verifySecret(const std::string& secret, const std::string& stored);

/// Compares two strings in time that depends only on their lengths.
bool constantTimeEquals(const std::string& a, const std::string& b);

}  // namespace appreg::domain
