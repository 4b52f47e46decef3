// POST <base>events: the SIP proxy reports registrations and calls as JSON (docs/sip.md).
// A request with Content-Type application/json is taken out of SOAP processing the way
// gSOAP's httpform plugin does it: the header hook answers SOAP_FORM and names the handler.
// Authentication: HTTP Basic with the administrator's credentials.
#include "context.hpp"
#include "sip_service.hpp"
#include "soapH.h"

#include <openssl/crypto.h>
#include <strings.h>

#include <iostream>

namespace sb::prov {

namespace {

int (*default_parse_header)(struct soap*, const char*, const char*) = nullptr;

bool same_secret(const char* a, const std::string& b) {
    if (a == nullptr) {
        return false;
    }
    const std::string s(a);
    return s.size() == b.size() && CRYPTO_memcmp(s.data(), b.data(), s.size()) == 0;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

int reply(struct soap* soap, int status, const std::string& body) {
    soap->http_content = "application/json";
    if (status == 401) {
        soap->authrealm = "switchboard events";
    }
    if (soap_response(soap, status == 200 ? SOAP_FILE : SOAP_FILE + status) ||
        soap_send_raw(soap, body.data(), body.size()) || soap_end_send(soap)) {
        return soap_closesock(soap);
    }
    return SOAP_OK;
}

int events_handler(struct soap* soap) {
    soap->fform = nullptr;
    std::size_t len = 0;
    const char* body = soap_http_get_body(soap, &len);
    if (body == nullptr) {
        return soap->error;
    }
    soap_end_recv(soap);
    std::string path = soap->path;
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    if (path.size() < 7 || path.compare(path.size() - 7, 7, "/events") != 0) {
        return reply(soap, 404, "{\"error\": \"JSON is accepted only at <base>events\"}\n");
    }
    Context& ctx = context(soap);
    if (!same_secret(soap->userid, ctx.admin_username) ||
        !same_secret(soap->passwd, ctx.admin_password)) {
        audit(soap, "Events.add", nullptr, static_cast<int>(ErrorCode::AuthenticationFailed));
        return reply(soap, 401,
                     "{\"error\": \"HTTP Basic authentication with the "
                     "administrator's credentials is required\"}\n");
    }
    try {
        Caller admin;
        admin.admin = true;
        admin.username = ctx.admin_username;
        const EventsResult r =
            apply_events_json(ctx.call_data, ctx.prepaid, std::string_view(body, len));
        audit_note(soap, "events: " + std::to_string(r.accepted) + " stored, " +
                             std::to_string(r.ignored) + " ignored");
        audit(soap, "Events.add", &admin, 0);
        return reply(soap, 200,
                     "{\"accepted\": " + std::to_string(r.accepted) +
                         ", \"ignored\": " + std::to_string(r.ignored) + "}\n");
    } catch (const ApiError& e) {
        return reply(soap, 400,
                     "{\"error\": \"" + json_escape(e.what()) + "\", \"errorcode\": " +
                         std::to_string(static_cast<int>(e.code())) + "}\n");
    } catch (const std::exception& e) {
        std::cerr << "provisioning: events failed: " << e.what() << "\n";
        return reply(soap, 500, "{\"error\": \"the events failed on the server; see its log\"}\n");
    }
}

int parse_header(struct soap* soap, const char* key, const char* value) {
    if (key != nullptr && value != nullptr && strcasecmp(key, "Content-Type") == 0 &&
        strncasecmp(value, "application/json", 16) == 0) {
        soap->fform = events_handler;
        return soap->error = SOAP_FORM;
    }
    return default_parse_header(soap, key, value);
}

} // namespace

void install_events_endpoint(struct soap* soap) {
    if (default_parse_header == nullptr) {
        default_parse_header = soap->fparsehdr;
    }
    soap->fparsehdr = parse_header;
}

} // namespace sb::prov
