#pragma once

#include <Poco/SHA2Engine.h>

namespace appreg::domain {

/// Poco's SHA-256 with the block and digest sizes that Poco::HMACEngine (and so Poco::PBKDF2Engine) need.
class Sha256Engine : public Poco::SHA2Engine {
public:
    enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
    Sha256Engine() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

}  // namespace appreg::domain
