#pragma once

#include <string>

namespace appreg::domain {

/// Django 4.2's default (and AWX's): PBKDF2-HMAC-SHA256 with 600 000 iterations.
constexpr unsigned kDefaultPasswordIterations = 600000;

/// The stored form of a user's password in Django's format, `pbkdf2_sha256$<iterations>$<salt>$<base64
/// hash>`, with a fresh 22-character salt from the CSPRNG, so that password hashes can move between AWX and
/// appreg.
std::string hashPassword(const std::string& password, unsigned iterations = kDefaultPasswordIterations);

/// Whether `password` matches `encoded` (a value of hashPassword or an imported Django `pbkdf2_sha256` hash).
/// Compares in constant time; false for any other or malformed format, including Django's unusable "!..."
/// ones.
bool verifyPassword(const std::string& password, const std::string& encoded);

/// PBKDF2-HMAC-SHA256 of `password` with `salt`, 32 bytes, as standard Base64 (Django's encoding).
std::string pbkdf2Sha256Base64(const std::string& password, const std::string& salt, unsigned iterations);

}  // namespace appreg::domain
