// POST <base>events: the SIP proxy reports registrations and calls as JSON (docs/sip.md).
// A request with Content-Type application/json is taken out of SOAP processing the way
// gSOAP's httpform plugin does it: the header hook answers SOAP_FORM and names the handler.
// Authentication: HTTP Basic with the administrator's credentials.
#include "context.hpp"
#include "json_http.hpp"
#include "sip_service.hpp"
#include "soapH.h"

#include <strings.h>

#include <iostream>

namespace sb::prov {

namespace {

int (*default_parse_header)(struct soap*, const char*, const char*) = nullptr;

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
    if (path.find(proxy_api_path) != std::string::npos) {
        return proxy_post(soap, std::string_view(body, len));
    }
    if (path.size() < 7 || path.compare(path.size() - 7, 7, "/events") != 0) {
        return json_reply(soap, 404,
                          json_error("JSON is accepted only at <base>events and <base>proxy/v1/"));
    }
    Context& ctx = context(soap);
    if (!admin_basic_auth(soap)) {
        audit(soap, "Events.add", nullptr, static_cast<int>(ErrorCode::AuthenticationFailed));
        return json_reply(soap, 401, json_error(admin_auth_required));
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
        return json_reply(soap, 200,
                          "{\"accepted\": " + std::to_string(r.accepted) +
                              ", \"ignored\": " + std::to_string(r.ignored) + "}\n");
    } catch (const ApiError& e) {
        return json_reply(soap, 400, json_error(e.what(), static_cast<int>(e.code())));
    } catch (const std::exception& e) {
        std::cerr << "provisioning: events failed: " << e.what() << "\n";
        return json_reply(soap, 500, json_error("the events failed on the server; see its log"));
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
