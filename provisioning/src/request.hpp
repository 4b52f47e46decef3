// Per-request state of one gSOAP context, reached through soap->user: the shared services,
// the XML depth counter, the client's address, the audit note, and the request and response
// buffers gSOAP reads and writes (frecv/fsend). One Request per context, one context per
// thread; nothing here is shared between threads.
#pragma once

#include "context.hpp"
#include "xml_depth.hpp"

#include <chrono>
#include <string>
#include <string_view>

struct soap;

namespace sb::prov {

struct Request {
    Request(Context& services, unsigned xml_depth_limit)
        : ctx(services)
        , max_xml_depth(xml_depth_limit) {}

    Context& ctx;
    unsigned max_xml_depth;
    XmlDepth depth;
    std::string peer;         // the client's address, for the audit line and the throttle
    std::string audit_object; // what audit_note named
    std::chrono::steady_clock::time_point start;
    std::chrono::milliseconds answer_delay{0}; // the login throttle's wait before the answer
    std::string_view in;                       // request bytes gSOAP has not read yet
    std::string* out = nullptr;                // the response being written
};

// The Request installed on `soap` (soap->user).
Request& request(struct soap* soap) noexcept;

} // namespace sb::prov
