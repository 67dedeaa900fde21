#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "appreg/fcgi/RecordCheck.h"

using namespace appreg::fcgi;

namespace {

std::string record(unsigned char type, const std::string& content, unsigned requestId = 1,
                   unsigned char padding = 0) {
    std::string h(8, '\0');
    h[0] = 1;
    h[1] = static_cast<char>(type);
    h[2] = static_cast<char>(requestId >> 8);
    h[3] = static_cast<char>(requestId & 0xff);
    h[4] = static_cast<char>(content.size() >> 8);
    h[5] = static_cast<char>(content.size() & 0xff);
    h[6] = static_cast<char>(padding);
    return h + content + std::string(padding, '\0');
}

std::string pair(const std::string& name, const std::string& value) {
    auto len = [](std::size_t n) {
        if (n < 128) return std::string(1, static_cast<char>(n));
        std::string l(4, '\0');
        l[0] = static_cast<char>(0x80 | ((n >> 24) & 0x7f));
        l[1] = static_cast<char>((n >> 16) & 0xff);
        l[2] = static_cast<char>((n >> 8) & 0xff);
        l[3] = static_cast<char>(n & 0xff);
        return l;
    };
    return len(name.size()) + len(value.size()) + name + value;
}

std::string begin(unsigned requestId = 1) { return record(1, std::string("\0\1\0\0\0\0\0\0", 8), requestId); }

RecordVerdict check(const std::string& bytes, std::size_t limit = 65536) {
    RecordLimits limits;
    limits.maxParamsBytes = limit;
    return checkRequestHead(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), limits);
}

}  // namespace

class RecordCheckTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RecordCheckTest);
    CPPUNIT_TEST(testWellFormedHead);
    CPPUNIT_TEST(testIncompleteHeads);
    CPPUNIT_TEST(testOverflowingLengthsAreRefused);
    CPPUNIT_TEST(testLimitsAndManagementRecords);
    CPPUNIT_TEST(testEncodeResponse);
    CPPUNIT_TEST(testEncodeStdoutSplitsIntoRecords);
    CPPUNIT_TEST_SUITE_END();

public:
    void testWellFormedHead() {
        std::string params = pair("REQUEST_METHOD", "GET") + pair("REQUEST_URI", "/api/v2/ping/") +
                             pair("HTTP_X", std::string(300, 'x'));
        // Pairs may be split across PARAMS records; records may carry padding; STDIN may follow.
        std::string head =
            begin() + record(4, params.substr(0, 10), 1, 6) + record(4, params.substr(10)) + record(4, "");
        CPPUNIT_ASSERT(check(head) == RecordVerdict::Acceptable);
        CPPUNIT_ASSERT(check(head + record(5, "{}")) == RecordVerdict::Acceptable);
        CPPUNIT_ASSERT_EQUAL(
            1u, beginRequestId(reinterpret_cast<const unsigned char*>(head.data()), head.size()));
    }

    void testIncompleteHeads() {
        std::string head = begin() + record(4, pair("A", "b")) + record(4, "");
        for (std::size_t cut = 0; cut < head.size(); ++cut) {
            CPPUNIT_ASSERT_MESSAGE(std::to_string(cut),
                                   check(head.substr(0, cut)) == RecordVerdict::Incomplete);
        }
    }

    void testOverflowingLengthsAreRefused() {
        // CVE-2025-23016's remainder: 0x40000000 + 0x40000000 overflows libfcgi's int sum and aborts the
        // process.
        std::string lengths = std::string("\xc0\x00\x00\x00\xc0\x00\x00\x00", 8);
        CPPUNIT_ASSERT(check(begin() + record(4, lengths + std::string(4000, 'A')) + record(4, "")) ==
                       RecordVerdict::Refuse);
        // A pair that claims more than its records carry.
        CPPUNIT_ASSERT(check(begin() +
                             record(4, std::string("\x05\x05"
                                                   "ab",
                                                   4)) +
                             record(4, "")) == RecordVerdict::Refuse);
        CPPUNIT_ASSERT(check(begin() + record(4, std::string("\x80", 1)) + record(4, "")) ==
                       RecordVerdict::Refuse);
        // Another protocol version.
        std::string v2 = begin();
        v2[0] = 2;
        CPPUNIT_ASSERT(check(v2) == RecordVerdict::Refuse);
    }

    void testLimitsAndManagementRecords() {
        std::string big = pair("HTTP_X", std::string(2000, 'x'));
        CPPUNIT_ASSERT(check(begin() + record(4, big) + record(4, ""), 1000) == RecordVerdict::TooLarge);
        // Known to be too large before it has all arrived.
        CPPUNIT_ASSERT(check(begin() + record(4, big).substr(0, 100), 1000) == RecordVerdict::TooLarge);
        CPPUNIT_ASSERT(check(record(9, "", 0)) == RecordVerdict::Refuse);  // FCGI_GET_VALUES, request id 0
        CPPUNIT_ASSERT(requestHeadCapacity(RecordLimits{}) > 65536);
    }

    void testEncodeResponse() {
        std::string r = encodeResponse(7, 431, "Request Header Fields Too Large", "{\"detail\":\"x\"}");
        CPPUNIT_ASSERT_EQUAL(6, static_cast<int>(r[1]));  // STDOUT
        CPPUNIT_ASSERT_EQUAL(7, static_cast<int>(r[3]));  // request id
        CPPUNIT_ASSERT(r.find("Status: 431 Request Header Fields Too Large\r\n") != std::string::npos);
        CPPUNIT_ASSERT(r.find("\r\n\r\n{\"detail\":\"x\"}") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(3, static_cast<int>(r[r.size() - 16 + 1]));  // ends with END_REQUEST
    }

    /// Reads `bytes` as a FastCGI response of request `id`: the STDOUT records' content joined, checking the
    /// record layout on the way, and that the stream ends with the empty STDOUT and END_REQUEST (status 0,
    /// REQUEST_COMPLETE) and nothing after.
    static std::string stdoutOf(const std::string& bytes, unsigned id, std::size_t& records) {
        auto byte = [&bytes](std::size_t i) {
            return static_cast<unsigned>(static_cast<unsigned char>(bytes.at(i)));
        };
        std::string content;
        std::size_t pos = 0;
        records = 0;
        for (;;) {
            CPPUNIT_ASSERT(pos + 8 <= bytes.size());
            CPPUNIT_ASSERT_EQUAL(1u, byte(pos));  // version
            CPPUNIT_ASSERT_EQUAL(id, byte(pos + 2) << 8 | byte(pos + 3));
            const std::size_t length = byte(pos + 4) << 8 | byte(pos + 5);
            CPPUNIT_ASSERT_EQUAL(0u, byte(pos + 6));  // no padding
            if (byte(pos + 1) == 3) {                 // END_REQUEST: the last record
                CPPUNIT_ASSERT_EQUAL(std::size_t{8}, length);
                CPPUNIT_ASSERT_EQUAL(std::string(8, '\0'), bytes.substr(pos + 8));
                return content;
            }
            CPPUNIT_ASSERT_EQUAL(6u, byte(pos + 1));  // STDOUT
            CPPUNIT_ASSERT(pos + 8 + length <= bytes.size());
            if (length == 0) {  // the end of the stream: END_REQUEST must follow at once
                CPPUNIT_ASSERT_EQUAL(3u, byte(pos + 9));
            } else {
                ++records;
            }
            content.append(bytes, pos + 8, length);
            pos += 8 + length;
        }
    }

    void testEncodeStdoutSplitsIntoRecords() {
        std::size_t records = 0;
        const std::string head = "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n";
        // A small response: one record. Request ids above 255 use both bytes.
        CPPUNIT_ASSERT_EQUAL(head + "{}", stdoutOf(encodeStdout(300, head, "{}"), 300, records));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, records);
        // A bodiless one (HEAD, 204).
        CPPUNIT_ASSERT_EQUAL(head, stdoutOf(encodeStdout(1, head, ""), 1, records));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, records);
        // Exactly one full record, then one byte more.
        std::string body(65535 - head.size(), 'x');
        CPPUNIT_ASSERT_EQUAL(head + body, stdoutOf(encodeStdout(2, head, body), 2, records));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, records);
        body += 'y';
        CPPUNIT_ASSERT_EQUAL(head + body, stdoutOf(encodeStdout(2, head, body), 2, records));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, records);
        // A large body: cut every 65535 bytes, wherever that falls; every byte in order.
        std::string large;
        for (int i = 0; i < 150000; ++i) large += static_cast<char>('a' + i % 26);
        CPPUNIT_ASSERT_EQUAL(head + large, stdoutOf(encodeStdout(65535, head, large), 65535, records));
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, records);
        // A head longer than a record (many headers) is cut too.
        const std::string longHead(70000, 'h');
        CPPUNIT_ASSERT_EQUAL(longHead + "{}", stdoutOf(encodeStdout(9, longHead, "{}"), 9, records));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, records);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RecordCheckTest);
