#include "appreg/fcgi/RecordCheck.h"

#include <algorithm>
#include <string>

namespace appreg::fcgi {

namespace {

constexpr unsigned char kVersion1 = 1;
constexpr unsigned char kParams = 4;
constexpr std::size_t kHeaderSize = 8;

/// Reads one FastCGI name or value length (1 byte below 128, else 4 bytes with the top bit set).
bool readLength(const std::string& s, std::size_t& pos, std::size_t& out) {
    if (pos >= s.size()) return false;
    unsigned char b0 = static_cast<unsigned char>(s[pos]);
    if ((b0 & 0x80) == 0) {
        out = b0;
        pos += 1;
        return true;
    }
    if (pos + 4 > s.size()) return false;
    out = (static_cast<std::size_t>(b0 & 0x7f) << 24) |
          (static_cast<std::size_t>(static_cast<unsigned char>(s[pos + 1])) << 16) |
          (static_cast<std::size_t>(static_cast<unsigned char>(s[pos + 2])) << 8) |
          static_cast<std::size_t>(static_cast<unsigned char>(s[pos + 3]));
    pos += 4;
    return true;
}

/// Every pair's declared lengths must fit in what the PARAMS records actually carry.
bool pairsWellFormed(const std::string& params) {
    std::size_t pos = 0;
    while (pos < params.size()) {
        std::size_t nameLen = 0, valueLen = 0;
        if (!readLength(params, pos, nameLen) || !readLength(params, pos, valueLen)) return false;
        if (nameLen > params.size() - pos || valueLen > params.size() - pos - nameLen) return false;
        pos += nameLen + valueLen;
    }
    return true;
}

}  // namespace

std::size_t requestHeadCapacity(const RecordLimits& limits) {
    // BEGIN_REQUEST, the parameters, and room for the headers and padding of many PARAMS records: a head that
    // needs more than this is treated as too large.
    return 2 * limits.maxParamsBytes + 16384;
}

RecordVerdict checkRequestHead(const unsigned char* data, std::size_t size, const RecordLimits& limits) {
    std::string params;
    std::size_t pos = 0;
    for (;;) {
        if (size - pos < kHeaderSize) return RecordVerdict::Incomplete;
        const unsigned char* h = data + pos;
        unsigned char version = h[0], type = h[1];
        unsigned requestId = (static_cast<unsigned>(h[2]) << 8) | h[3];
        std::size_t contentLength = (static_cast<std::size_t>(h[4]) << 8) | h[5];
        std::size_t padding = h[6];
        if (version != kVersion1) return RecordVerdict::Refuse;
        // Management records (request id 0) are not sent by the web servers appreg supports, and libfcgi
        // leaks memory on unknown ones.
        if (requestId == 0) return RecordVerdict::Refuse;
        if (size - pos - kHeaderSize < contentLength + padding) {
            // A PARAMS record that could never fit within the limit is refused without waiting for it.
            if (type == kParams && params.size() + contentLength > limits.maxParamsBytes)
                return RecordVerdict::TooLarge;
            return RecordVerdict::Incomplete;
        }
        if (type == kParams) {
            if (contentLength == 0)
                return pairsWellFormed(params) ? RecordVerdict::Acceptable : RecordVerdict::Refuse;
            if (params.size() + contentLength > limits.maxParamsBytes) return RecordVerdict::TooLarge;
            params.append(reinterpret_cast<const char*>(h + kHeaderSize), contentLength);
        }
        pos += kHeaderSize + contentLength + padding;
    }
}

unsigned beginRequestId(const unsigned char* data, std::size_t size) {
    constexpr unsigned char kBeginRequest = 1;
    if (size < kHeaderSize || data[0] != kVersion1 || data[1] != kBeginRequest) return 0;
    return (static_cast<unsigned>(data[2]) << 8) | data[3];
}

std::string encodeStdout(unsigned requestId, const std::string& head, const std::string& body) {
    constexpr unsigned char kStdout = 6, kEndRequest = 3;
    constexpr std::size_t kMaxContent = 65535;
    const std::size_t content = head.size() + body.size();
    const std::size_t records = (content + kMaxContent - 1) / kMaxContent;
    std::string out;
    out.reserve(content + (records + 2) * kHeaderSize + 8);
    auto header = [&out, requestId](unsigned char type, std::size_t length) {
        const char h[kHeaderSize] = {static_cast<char>(kVersion1),
                                     static_cast<char>(type),
                                     static_cast<char>((requestId >> 8) & 0xff),
                                     static_cast<char>(requestId & 0xff),
                                     static_cast<char>((length >> 8) & 0xff),
                                     static_cast<char>(length & 0xff),
                                     0,
                                     0};
        out.append(h, kHeaderSize);
    };
    // The content is head then body, cut every 65535 bytes wherever that falls.
    std::size_t pos = 0;
    while (pos < content) {
        const std::size_t length = std::min(kMaxContent, content - pos);
        header(kStdout, length);
        const std::size_t end = pos + length;
        if (pos < head.size()) out.append(head, pos, std::min(end, head.size()) - pos);
        if (end > head.size()) {
            const std::size_t from = std::max(pos, head.size()) - head.size();
            out.append(body, from, end - head.size() - from);
        }
        pos = end;
    }
    header(kStdout, 0);
    header(kEndRequest, 8);
    out.append(8, '\0');  // app status 0, FCGI_REQUEST_COMPLETE
    return out;
}

std::string encodeResponse(unsigned requestId, int status, const std::string& reason,
                           const std::string& jsonBody) {
    return encodeStdout(
        requestId,
        "Status: " + std::to_string(status) + " " + reason + "\r\nContent-Type: application/json\r\n\r\n",
        jsonBody);
}

}  // namespace appreg::fcgi
