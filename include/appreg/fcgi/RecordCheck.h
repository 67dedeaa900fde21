#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace appreg::fcgi {

/// What the worker accepts at the head of a FastCGI request before libfcgi parses it.
struct RecordLimits {
    std::size_t maxParamsBytes = 65536;  ///< all name-value pairs of one request together
};

enum class RecordVerdict {
    Incomplete,  ///< not all PARAMS records are here yet
    Acceptable,  ///< the head up to the empty PARAMS record is well formed and within the limits
    TooLarge,    ///< well formed so far, but the parameters exceed the limit: answer 431, then drop
    Refuse,      ///< malformed or hostile: drop the connection unread
};

/// The request id of the BEGIN_REQUEST record that starts `data`, or 0 if it does not start with one.
unsigned beginRequestId(const unsigned char* data, std::size_t size);

/// A complete FastCGI response: `head` (the CGI head, ending in the empty line) and `body` in STDOUT records
/// of at most 65535 bytes, the empty STDOUT record that ends the stream, and END_REQUEST (application status
/// 0, FCGI_REQUEST_COMPLETE). Built in one buffer, so the transport sends a response in one write.
std::string encodeStdout(unsigned requestId, const std::string& head, const std::string& body);

/// encodeStdout of a JSON response with this status, for the transport to send on a connection libfcgi never
/// saw.
std::string encodeResponse(unsigned requestId, int status, const std::string& reason,
                           const std::string& jsonBody);

/// Checks the head of a FastCGI byte stream (BEGIN_REQUEST, PARAMS records up to the empty one) as the worker
/// peeks it from a new or kept-alive connection, before libfcgi reads it. Debian 12's libfcgi aborts the
/// whole process on name/value lengths whose sum overflows an int (the rest of CVE-2025-23016, platform-notes
/// §2.6) and leaks memory on management records; both are refused here, as are parameters beyond the limit,
/// records of another protocol version, and pairs that overrun their records. Pure function of the bytes.
RecordVerdict checkRequestHead(const unsigned char* data, std::size_t size, const RecordLimits& limits);

/// How many bytes of a stream the transport looks at before it decides; a head still incomplete after that
/// many bytes is too large.
std::size_t requestHeadCapacity(const RecordLimits& limits);

}  // namespace appreg::fcgi
