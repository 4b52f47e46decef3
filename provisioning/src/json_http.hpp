// What the JSON endpoints (the events endpoint, the proxy's read API) share: HTTP Basic with the
// administrator's credentials, JSON strings and the reply.
#pragma once

#include "json_text.hpp"

#include <string>
#include <string_view>

struct soap;

namespace sb::prov {

// Whether the request carries the administrator's credentials (HTTP Basic), compared in
// constant time.
bool admin_basic_auth(struct soap* soap);

// Sends `body` as application/json with HTTP `status` (401 names the realm).
int json_reply(struct soap* soap, int status, const std::string& body);

// {"error": message, "errorcode": code} (errorcode left out when 0).
std::string json_error(std::string_view message, int code = 0);

inline constexpr std::string_view admin_auth_required =
    "HTTP Basic authentication with the administrator's credentials is required";

// The proxy's read API (proxy_api_http.cpp): GET <base>proxy/v1/<lookup>?<query> and
// POST <base>proxy/v1/debit (JSON). Both answer JSON.
inline constexpr std::string_view proxy_api_path = "/proxy/v1/";
int proxy_get(struct soap* soap);
int proxy_post(struct soap* soap, std::string_view body);

} // namespace sb::prov
