#include "json_http.hpp"

#include "context.hpp"
#include "soapH.h"

#include <openssl/crypto.h>

namespace sb::prov {

namespace {

bool same_secret(const char* a, const std::string& b) {
    if (a == nullptr) {
        return false;
    }
    const std::string s(a);
    return s.size() == b.size() && CRYPTO_memcmp(s.data(), b.data(), s.size()) == 0;
}

} // namespace

bool admin_basic_auth(struct soap* soap) {
    const Context& ctx = context(soap);
    return same_secret(soap->userid, ctx.admin_username) &&
           same_secret(soap->passwd, ctx.admin_password);
}

int json_reply(struct soap* soap, int status, const std::string& body) {
    soap->http_content = "application/json";
    if (status == 401) {
        soap->authrealm = "switchboard";
    }
    if (soap_response(soap, status == 200 ? SOAP_FILE : SOAP_FILE + status) ||
        soap_send_raw(soap, body.data(), body.size()) || soap_end_send(soap)) {
        return soap_closesock(soap);
    }
    return SOAP_OK;
}

std::string json_error(std::string_view message, int code) {
    return "{\"error\": " + json_string(message) +
           (code != 0 ? ", \"errorcode\": " + std::to_string(code) : std::string()) + "}\n";
}

} // namespace sb::prov
