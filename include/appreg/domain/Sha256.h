#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace appreg::domain {

/// SHA-256 (FIPS 180-4) whose state is a plain value: copying a Sha256 copies the hash of everything fed so
/// far. That is what HmacSha256 needs and Poco's SHA2Engine does not offer (its state sits behind a pointer),
/// and this one does no allocation. Checked against FIPS 180-4's and RFC 4231's vectors and against Poco.
class Sha256 {
public:
    using Digest = std::array<std::uint8_t, 32>;

    void update(std::string_view data);
    /// Pads and returns the digest. The object is spent: feed it nothing more.
    Digest finish();

private:
    std::array<std::uint32_t, 8> _state{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<std::uint8_t, 64> _block{};
    std::size_t _used = 0;     ///< bytes in _block
    std::uint64_t _bytes = 0;  ///< fed in all

    void compress(const std::uint8_t* block);
};

/// HMAC-SHA256 (RFC 2104) under one key: the padded key blocks are hashed once, here, and each mac() starts
/// from copies of those two states, so a short message costs two compressions instead of four or more.
/// mac() is const and touches nothing shared: one object serves every thread.
class HmacSha256 {
public:
    explicit HmacSha256(std::string_view key);
    Sha256::Digest mac(std::string_view data) const;

private:
    Sha256 _inner;  ///< after the key ^ ipad block
    Sha256 _outer;  ///< after the key ^ opad block
};

/// Lower-case hex of bytes (a digest, a request id).
std::string toHex(std::span<const std::uint8_t> bytes);

}  // namespace appreg::domain
