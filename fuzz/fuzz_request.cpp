// libFuzzer target for the request layer below libfcgi: FastCGI parameters + body -> response, through
// checkRequestHead, buildCgiRequest and the real router, validation and SQLite store (Api::handle).
//
// Input format (text-friendly, so the dictionary and the seed corpus are readable):
//
//   byte 0        flags: bit 0 body limit 256 bytes instead of 1 MiB; bit 1 the body breaks off halfway (the
//                 client went away); bit 2 request.path_prefix "/awx"; bit 3 the body arrives 1 byte per
//                 read; bit 6 (0x40: a first byte from '@' up to DEL, letters included) anonymous: the
//                 harness adds no credentials. Without it, HTTP_AUTHORIZATION with the superuser's Basic
//                 credentials (FuzzWorld::authorization()) follows the input's parameters, so it counts only
//                 when the input has none of its own (the first occurrence of a name wins). The digits '0' to
//                 '9' that start most seeds leave bit 6 clear: those requests reach the API handlers.
//   lines         NAME=VALUE, one parameter per line ("\n" and "\\" are escapes for a newline and a
//   backslash;
//                 any other byte, NUL included, is taken as is), up to the first empty line
//   rest          the request body (STDIN)
//
// Every input is checked three ways:
//   1. the parameters, encoded as a web server sends them (BEGIN_REQUEST, PARAMS records of at most 65535
//      bytes padded to 8, the empty PARAMS), must pass checkRequestHead: Acceptable when the pairs take at
//      most 64 KiB, TooLarge otherwise (then the worker answers 431 and the API never runs), and an
//      Acceptable head must fit in requestHeadCapacity() (the worker peeks no more than that);
//   2. the raw input bytes, taken as a FastCGI stream, go through checkRequestHead and beginRequestId
//      (no oracle but the sanitizers: it is the first code a hostile peer reaches);
//   3. the request the worker would build (buildCgiRequest, then Api::handle unless the transport already
//      refused it) must get a documented status and a JSON body, and never the 401 of bad credentials when it
//      carries the superuser's (FuzzWorld::checkResponse).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "FuzzWorld.h"
#include "appreg/fcgi/RecordCheck.h"

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

void appendLength(std::string& out, std::size_t n) {
    if (n < 128) {
        out.push_back(static_cast<char>(n));
        return;
    }
    out.push_back(static_cast<char>(((n >> 24) & 0x7f) | 0x80));
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    out.push_back(static_cast<char>((n >> 8) & 0xff));
    out.push_back(static_cast<char>(n & 0xff));
}

std::string header(unsigned char type, std::size_t length, std::size_t padding) {
    std::string h(8, '\0');
    h[0] = 1;
    h[1] = static_cast<char>(type);
    h[3] = 1;  // request id 1
    h[4] = static_cast<char>((length >> 8) & 0xff);
    h[5] = static_cast<char>(length & 0xff);
    h[6] = static_cast<char>(padding);
    return h;
}

/// The head of a request as lighttpd, nginx or Apache would send it.
std::string encodeHead(const std::string& pairs) {
    std::string out = header(1, 8, 0) + std::string("\0\1\0\0\0\0\0\0", 8);  // BEGIN_REQUEST, responder
    for (std::size_t pos = 0; pos < pairs.size(); pos += 65535) {
        std::string chunk = pairs.substr(pos, 65535);
        std::size_t padding = (8 - chunk.size() % 8) % 8;
        out += header(4, chunk.size(), padding) + chunk + std::string(padding, '\0');
    }
    return out + header(4, 0, 0);
}

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "\n==== appreg fuzz_request: %s\n", message.c_str());
    std::abort();
}

/// Splits the input into parameter pairs and the body (format above).
void decode(const std::uint8_t* data, std::size_t size, Pairs& pairs, std::string& body) {
    std::size_t pos = 1;
    while (pos < size) {
        std::string line;
        bool ended = false;
        while (pos < size) {
            char c = static_cast<char>(data[pos++]);
            if (c == '\n') {
                ended = true;
                break;
            }
            if (c == '\\' && pos < size && (data[pos] == 'n' || data[pos] == '\\')) {
                line += data[pos++] == 'n' ? '\n' : '\\';
                continue;
            }
            line += c;
        }
        if (line.empty() && ended) break;  // the empty line: the body follows
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            pairs.emplace_back(line, "");
        } else {
            pairs.emplace_back(line.substr(0, eq), line.substr(eq + 1));
        }
    }
    if (pos < size) body.assign(reinterpret_cast<const char*>(data + pos), size - pos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto& world = appreg::fuzz::FuzzWorld::get();
    const unsigned flags = data[0];

    // 2. The raw bytes as a stream from a hostile peer.
    appreg::fcgi::RecordLimits limits;
    (void)appreg::fcgi::checkRequestHead(data, size, limits);
    (void)appreg::fcgi::beginRequestId(data, size);

    Pairs pairs;
    std::string body;
    decode(data, size, pairs, body);
    if ((flags & 0x40) == 0)
        pairs.emplace_back("HTTP_AUTHORIZATION", appreg::fuzz::FuzzWorld::authorization());

    // 1. The head a web server would send for these parameters.
    std::string encodedPairs;
    for (const auto& [name, value] : pairs) {
        appendLength(encodedPairs, name.size());
        appendLength(encodedPairs, value.size());
        encodedPairs += name + value;
    }
    std::string head = encodeHead(encodedPairs);
    head += header(5, 0, 0);  // what follows the head (the empty STDIN) must not matter
    auto verdict = appreg::fcgi::checkRequestHead(reinterpret_cast<const unsigned char*>(head.data()),
                                                  head.size(), limits);
    bool withinLimit = encodedPairs.size() <= limits.maxParamsBytes;
    if (withinLimit && verdict != appreg::fcgi::RecordVerdict::Acceptable) {
        fail("a well-formed head of " + std::to_string(encodedPairs.size()) +
             " parameter bytes was not Acceptable (" + std::to_string(static_cast<int>(verdict)) + ")");
    }
    if (!withinLimit && verdict != appreg::fcgi::RecordVerdict::TooLarge) {
        fail("a well-formed head of " + std::to_string(encodedPairs.size()) +
             " parameter bytes was not TooLarge (" + std::to_string(static_cast<int>(verdict)) + ")");
    }
    if (verdict == appreg::fcgi::RecordVerdict::Acceptable &&
        head.size() - 8 > appreg::fcgi::requestHeadCapacity(limits)) {
        fail("an Acceptable head of " + std::to_string(head.size() - 8) +
             " bytes exceeds requestHeadCapacity " +
             std::to_string(appreg::fcgi::requestHeadCapacity(limits)));
    }
    if (verdict == appreg::fcgi::RecordVerdict::TooLarge) return 0;  // the worker answers 431 itself

    // 3. What the worker builds and the API answers.
    world.reset();
    std::size_t maxBody = (flags & 1) ? 256 : 1048576;
    std::string prefix = (flags & 4) ? "/awx" : "";
    std::size_t chunk = (flags & 8) ? 1 : 16384;
    auto params = appreg::fuzz::workerParams(pairs);
    auto built = appreg::http::buildCgiRequest(
        params, appreg::fuzz::bodyReader(body, chunk, (flags & 2) != 0), maxBody, prefix);
    if (built.error) {
        appreg::fuzz::FuzzWorld::checkResponse(built.request, *built.error, "fuzz_request (transport)");
        return 0;
    }
    appreg::http::Response response = world.handle(built.request);
    appreg::fuzz::FuzzWorld::checkResponse(built.request, response, "fuzz_request");
    return 0;
}
