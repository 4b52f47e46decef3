// Where the front ends a request: table-driven cases over frame_request().
#include "http_framing.hpp"

#include <catch2/catch.hpp>

#include <string>

using sb::prov::frame_request;
using sb::prov::Framing;
using sb::prov::FramingLimits;
using State = Framing::State;

namespace {

const FramingLimits limits{256, 1000};

std::string post(const std::string& headers, const std::string& body) {
    return "POST /ngnpro/ HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
}

} // namespace

TEST_CASE("frame_request finds the end of Content-Length and chunked requests", "[prov]") {
    struct Case {
        const char* what;
        std::string bytes;
        State state;
        std::size_t length; // for Complete
        bool expect_continue;
    };

    const std::string whole = post("Content-Length: 5\r\n", "hello");
    const std::string chunked = post("Transfer-Encoding: chunked\r\n",
                                     "5;ext=1\r\nhello\r\n2\r\n, \r\n0\r\nX-T: 1\r\n\r\n");
    const Case cases[] = {
        {"headers not complete", "POST / HTTP/1.1\r\nHost: x\r\n", State::Incomplete, 0, false},
        {"body not complete", post("Content-Length: 5\r\n", "hel"), State::Incomplete, 0, false},
        {"whole request", whole, State::Complete, whole.size(), false},
        {"a pipelined request behind it", whole + "POST / HT", State::Complete, whole.size(),
         false},
        {"GET without a body", "GET /ngnpro/wsdl HTTP/1.1\r\nHost: x\r\n\r\n", State::Complete, 38,
         false},
        {"case-insensitive header names", post("content-LENGTH:  5 \r\n", "hello"), State::Complete,
         whole.size() + 2, false},
        {"Expect: 100-continue before the body",
         post("Expect: 100-continue\r\n"
              "Content-Length: 5\r\n",
              ""),
         State::Incomplete, 0, true},
        {"chunked, with extension and trailer", chunked, State::Complete, chunked.size(), false},
        {"chunked, last chunk missing", post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n"),
         State::Incomplete, 0, false},
        {"Content-Length over the limit", post("Content-Length: 1001\r\n", ""), State::BodyTooLarge,
         0, false},
        {"chunks over the limit", post("Transfer-Encoding: chunked\r\n", "3e9\r\n"),
         State::BodyTooLarge, 0, false},
        {"header block over the limit", "GET / HTTP/1.1\r\nX: " + std::string(300, 'a'),
         State::HeaderTooLarge, 0, false},
        {"Content-Length not a number", post("Content-Length: ten\r\n", ""), State::Malformed, 0,
         false},
        {"two different Content-Lengths", post("Content-Length: 5\r\nContent-Length: 6\r\n", ""),
         State::Malformed, 0, false},
        {"Content-Length with chunked",
         post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", ""), State::Malformed, 0,
         false},
        {"chunk size not hex", post("Transfer-Encoding: chunked\r\n", "zz\r\n"), State::Malformed,
         0, false},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const Framing f = frame_request(c.bytes, limits);
        CHECK(f.state == c.state);
        if (c.state == State::Complete) {
            CHECK(f.length == c.length);
        }
        CHECK(f.expect_continue == c.expect_continue);
    }
}
