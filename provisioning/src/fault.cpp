#include "fault.hpp"

#include "soapH.h"

namespace sb::prov {

namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

} // namespace

int fault(struct soap* soap, ErrorCode code, const std::string& message) {
    const std::string detail = "<exception><errorcode xsi:type=\"xsd:int\">" +
                               std::to_string(static_cast<int>(code)) +
                               "</errorcode><errorstring xsi:type=\"xsd:string\">" +
                               xml_escape(message) + "</errorstring></exception>";
    if (code == ErrorCode::Internal || code == ErrorCode::StoreFull) {
        return soap_receiver_fault(soap, message.c_str(), detail.c_str());
    }
    return soap_sender_fault(soap, message.c_str(), detail.c_str());
}

} // namespace sb::prov
