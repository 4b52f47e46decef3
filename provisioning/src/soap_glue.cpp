#include "soap_glue.hpp"

#include "context.hpp"
#include "json_http.hpp"
#include "request.hpp"
#include "soapH.h"
#include "wsdl/wsdl.hpp"

#include <algorithm>
#include <cstring>

namespace sb::prov {

namespace {

constexpr const char* wsdl_location = "http://localhost:9200/ngnpro/";

// GET <base>wsdl: the WSDL with its service address pointing at the base the client used.
int http_get(struct soap* soap) {
    const std::string path = soap->path;
    if (path.find(proxy_api_path) != std::string::npos) {
        return proxy_get(soap);
    }
    if (path.size() < 4 || path.compare(path.size() - 4, 4, "wsdl") != 0) {
        return 404;
    }
    std::string text = wsdl_text();
    std::string base = soap->endpoint; // "http://host:port/path" from the Host header
    if (const auto at = base.rfind("wsdl"); at != std::string::npos) {
        base.erase(at);
    }
    if (base.size() > 1 && base.back() == '?') {
        base.pop_back();
    }
    for (std::size_t at = text.find(wsdl_location); at != std::string::npos;
         at = text.find(wsdl_location, at + base.size())) {
        text.replace(at, std::string_view(wsdl_location).size(), base);
    }
    soap->http_content = "text/xml; charset=utf-8";
    if (soap_response(soap, SOAP_FILE) || soap_send_raw(soap, text.data(), text.size()) ||
        soap_end_send(soap)) {
        return soap_closesock(soap);
    }
    return SOAP_OK;
}

// The XML depth limit, counted on the raw bytes (gSOAP skips unknown elements uncounted).
int depth_init(struct soap* soap) {
    request(soap).depth.reset();
    return SOAP_OK;
}

int depth_check(struct soap* soap, const char* data, std::size_t n) {
    Request& r = request(soap);
    if (!r.depth.feed(data, n, r.max_xml_depth)) {
        return soap->error = soap_sender_fault(
                   soap,
                   ("XML nested deeper than " + std::to_string(r.max_xml_depth) + " levels")
                       .c_str(),
                   nullptr);
    }
    return SOAP_OK;
}

// gSOAP's I/O over the Request's buffers.
std::size_t buffer_recv(struct soap* soap, char* buf, std::size_t len) {
    Request& r = request(soap);
    const std::size_t n = std::min(len, r.in.size());
    std::memcpy(buf, r.in.data(), n);
    r.in.remove_prefix(n);
    return n;
}

int buffer_send(struct soap* soap, const char* buf, std::size_t len) {
    Request& r = request(soap);
    if (r.out == nullptr) {
        return SOAP_EOF;
    }
    r.out->append(buf, len);
    return SOAP_OK;
}

// gSOAP owns no socket here (the front does); nothing to close.
int no_close(struct soap*, SOAP_SOCKET) {
    return SOAP_OK;
}

// Nothing to poll: the whole request is in memory, and the client is the front's business
// (gSOAP's own poll would look at the placeholder listening socket and skip the fault).
int ready(struct soap*) {
    return SOAP_OK;
}

// The front answers "Expect: 100-continue" itself; gSOAP's own interim response is dropped.
void drop_interim_continue(std::string& out, std::size_t from) {
    static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
    if (std::string_view(out).substr(from).starts_with(interim)) {
        out.erase(from, interim.size());
    }
}

} // namespace

SoapContext serving_context(const Options& options) {
    SoapContext context(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
    struct soap* m = context.get();
    soap_set_namespaces(m, namespaces);
    wsdl::configure(m);
    m->user = nullptr;
    m->fget = http_get;
    install_events_endpoint(m);
    m->fprepareinitrecv = depth_init;
    m->fpreparerecv = depth_check;
    m->frecv = buffer_recv;
    m->fsend = buffer_send;
    m->socket = SOAP_INVALID_SOCKET;
    // gSOAP answers with an HTTP status line ("HTTP/1.1 200 OK") only when it sees a listening
    // socket; without one it writes a CGI "Status:" header. It has none (the front listens),
    // so it gets a placeholder it never reads from or closes.
    m->master = 0;
    m->fclosesocket = no_close;
    m->fpoll = ready;
    m->recv_maxlength = options.max_request_bytes;
    m->maxlevel = options.max_xml_depth;
    m->maxoccurs = options.max_array_items;
    // The front enforces the timeouts; these only keep gSOAP from answering its own EOF.
    m->recv_timeout = static_cast<int>(std::max(1u, options.request_timeout));
    m->send_timeout = static_cast<int>(std::max(1u, options.request_timeout));
    return context;
}

void use(struct soap* soap, Request& r) noexcept {
    soap->user = &r;
}

Served serve_buffer(struct soap* soap, std::string_view in, std::string& out,
                    std::string_view peer) {
    Request& r = request(soap);
    const RequestScope scope(soap);
    r.in = in;
    r.out = &out;
    r.peer.assign(peer);
    r.audit_object.clear();
    r.start = std::chrono::steady_clock::now();
    r.answer_delay = std::chrono::milliseconds(0);
    const std::size_t from = out.size();
    // One pass of soap_serve's loop: the front frames requests, so no bytes of a previous
    // request may remain in gSOAP's input buffer.
    soap->socket = SOAP_INVALID_SOCKET;
    soap->bufidx = 0;
    soap->buflen = 0;
    soap->keep_alive = soap->max_keep_alive;
    if (soap_begin_serve(soap) == SOAP_OK) {
        if ((soap_serve_request(soap) != SOAP_OK ||
             (soap->fserveloop != nullptr && soap->fserveloop(soap) != SOAP_OK)) &&
            soap->error != SOAP_OK && soap->error < SOAP_STOP) {
            soap_send_fault(soap);
        }
    }
    drop_interim_continue(out, from);
    Served served;
    served.keep_alive =
        soap->keep_alive != 0 && (soap->error == SOAP_OK || soap->error == SOAP_STOP);
    served.delay = r.answer_delay;
    r.in = {};
    r.out = nullptr;
    return served;
}

} // namespace sb::prov
