#include "appreg/domain/Sha256.h"

#include <algorithm>
#include <cstring>

namespace appreg::domain {

namespace {

constexpr std::uint32_t kRounds[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

}  // namespace

void Sha256::compress(const std::uint8_t* block) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
        w[i] = static_cast<std::uint32_t>(block[4 * i]) << 24 |
               static_cast<std::uint32_t>(block[4 * i + 1]) << 16 |
               static_cast<std::uint32_t>(block[4 * i + 2]) << 8 |
               static_cast<std::uint32_t>(block[4 * i + 3]);
    }
    for (int i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = _state[0], b = _state[1], c = _state[2], d = _state[3];
    std::uint32_t e = _state[4], f = _state[5], g = _state[6], h = _state[7];
    for (int i = 0; i < 64; ++i) {
        const std::uint32_t t1 =
            h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRounds[i] + w[i];
        const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    _state[0] += a;
    _state[1] += b;
    _state[2] += c;
    _state[3] += d;
    _state[4] += e;
    _state[5] += f;
    _state[6] += g;
    _state[7] += h;
}

void Sha256::update(std::string_view data) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
    std::size_t n = data.size();
    _bytes += n;
    if (_used > 0) {
        const std::size_t take = std::min(n, _block.size() - _used);
        std::memcpy(_block.data() + _used, p, take);
        _used += take;
        p += take;
        n -= take;
        if (_used < _block.size()) return;
        compress(_block.data());
        _used = 0;
    }
    for (; n >= _block.size(); p += _block.size(), n -= _block.size()) compress(p);
    if (n > 0) std::memcpy(_block.data(), p, n);
    _used = n;
}

Sha256::Digest Sha256::finish() {
    const std::uint64_t bits = _bytes * 8;
    // 0x80, zeros up to 56 bytes into a block, then the length in bits, big-endian.
    static constexpr std::uint8_t kPad[64] = {0x80};
    update(std::string_view(reinterpret_cast<const char*>(kPad), _used < 56 ? 56 - _used : 120 - _used));
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
    update(std::string_view(reinterpret_cast<const char*>(length), sizeof length));
    Digest digest;
    for (int i = 0; i < 8; ++i) {
        digest[4 * i] = static_cast<std::uint8_t>(_state[i] >> 24);
        digest[4 * i + 1] = static_cast<std::uint8_t>(_state[i] >> 16);
        digest[4 * i + 2] = static_cast<std::uint8_t>(_state[i] >> 8);
        digest[4 * i + 3] = static_cast<std::uint8_t>(_state[i]);
    }
    return digest;
}

HmacSha256::HmacSha256(std::string_view key) {
    std::uint8_t padded[64] = {};
    if (key.size() > sizeof padded) {
        Sha256 hashed;
        hashed.update(key);
        const Sha256::Digest d = hashed.finish();
        std::memcpy(padded, d.data(), d.size());
    } else {
        std::memcpy(padded, key.data(), key.size());
    }
    std::uint8_t block[64];
    for (std::size_t i = 0; i < sizeof block; ++i) block[i] = padded[i] ^ 0x36;
    _inner.update(std::string_view(reinterpret_cast<const char*>(block), sizeof block));
    for (std::size_t i = 0; i < sizeof block; ++i) block[i] = padded[i] ^ 0x5c;
    _outer.update(std::string_view(reinterpret_cast<const char*>(block), sizeof block));
}

Sha256::Digest HmacSha256::mac(std::string_view data) const {
    Sha256 inner = _inner;
    inner.update(data);
    const Sha256::Digest innerDigest = inner.finish();
    Sha256 outer = _outer;
    outer.update(std::string_view(reinterpret_cast<const char*>(innerDigest.data()), innerDigest.size()));
    return outer.finish();
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    static const char hex[] = "0123456789abcdef";
    std::string out(2 * bytes.size(), '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 15];
    }
    return out;
}

}  // namespace appreg::domain
