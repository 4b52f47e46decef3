#include "zones/enum.hpp"

#include "zones/zones.hpp"

namespace sb::zones {

std::string e164_name(std::string_view digits, std::string_view tld) {
    std::string name;
    name.reserve(digits.size() * 2 + tld.size());
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        name.push_back(*it);
        name.push_back('.');
    }
    name.append(tld);
    return name;
}

const std::vector<EnumService>& enum_services() {
    // The guide's $NAPTR_services table (provisioning-guide.txt, ENUM numbers); the NAPTR
    // service is "E2U+" and the table's service.
    static const std::vector<EnumService> table = {
        {"sip", "E2U+sip", {"sip:", "sips:"}},
        {"mailto", "E2U+mailto", {"mailto:"}},
        {"web:http", "E2U+web:http", {"http://"}},
        {"web:https", "E2U+web:https", {"https://"}},
        {"x-skype:callto", "E2U+x-skype:callto", {"callto:"}},
        {"h323", "E2U+h323", {"h323:"}},
        {"iax", "E2U+iax", {"iax:"}},
        {"iax2", "E2U+iax2", {"iax2:"}},
        {"mms", "E2U+mms", {"tel:", "mailto:"}},
        {"sms", "E2U+sms", {"tel:", "mailto:"}},
        {"ems", "E2U+ems", {"tel:", "mailto:"}},
        {"im", "E2U+im", {"im:"}},
        {"npd:tel", "E2U+npd+tel", {"tel:"}},
        {"void:mailto", "E2U+void:mailto", {"mailto:"}},
        {"void:http", "E2U+void:http", {"http://"}},
        {"void:https", "E2U+void:https", {"https://"}},
        {"voice", "E2U+voice", {"voice:", "tel:"}},
        {"tel", "E2U+tel", {"tel:"}},
        {"fax:tel", "E2U+fax:tel", {"tel:"}},
        {"ifax:mailto", "E2U+ifax:mailto", {"mailto:"}},
        {"pres", "E2U+pres", {"pres:"}},
        {"ft:ftp", "E2U+ft:ftp", {"ftp://"}},
        {"loc:http", "E2U+loc:http", {"http://"}},
        {"key:http", "E2U+key:http", {"http://"}},
        {"key:https", "E2U+key:https", {"https://"}},
    };
    return table;
}

const EnumService* enum_service(std::string_view type) noexcept {
    for (const auto& s : enum_services()) {
        if (s.type == type) {
            return &s;
        }
    }
    return nullptr;
}

std::string enum_naptr_rdata(const EnumService& service, std::string_view mapto,
                             std::uint32_t priority) {
    if (mapto.find('!') != std::string_view::npos) {
        throw InvalidValue("mapto", "'!' cannot appear in a mapping target (it delimits the "
                                    "NAPTR regexp)");
    }
    const std::string regexp = "!^.*$!" + std::string(mapto) + "!";
    if (regexp.size() > 255) {
        throw InvalidValue("mapto", "longer than 247 characters");
    }
    if (priority > 0xffff) {
        throw InvalidValue("priority", "must be 0..65535");
    }
    std::string rdata;
    auto u16 = [&](std::uint32_t v) {
        rdata.push_back(static_cast<char>(v >> 8));
        rdata.push_back(static_cast<char>(v));
    };
    auto chars = [&](std::string_view s) {
        rdata.push_back(static_cast<char>(s.size()));
        rdata.append(s);
    };
    u16(enum_naptr_order);
    u16(priority);
    chars("u");
    chars(service.service);
    chars(regexp);
    rdata.push_back('\0'); // replacement: the root
    return rdata;
}

} // namespace sb::zones
