// The codec of the SIP provisioning rows (rows.hpp): one Encoder and one Decoder walk each
// row's fields().
#include "provisioning/rows.hpp"

#include <type_traits>

namespace sb::prov {

using store::Error;
using store::Reader;
using store::Writer;

namespace {

// Format bytes: bump one when its row's fields() change, and keep reading the old format.
constexpr std::uint8_t sip_domain_format = 1;
constexpr std::uint8_t sip_account_format = 1;
constexpr std::uint8_t sip_alias_format = 1;
constexpr std::uint8_t sip_settings_format = 1;
constexpr std::uint8_t voicemail_format = 1;
constexpr std::uint8_t trusted_peer_format = 1;
constexpr std::uint8_t carrier_format = 1;
constexpr std::uint8_t gateway_format = 1;
constexpr std::uint8_t gateway_rule_format = 1;
constexpr std::uint8_t route_format = 1;
constexpr std::uint8_t prepaid_format = 1;
constexpr std::uint8_t prepaid_card_format = 1;
constexpr std::uint8_t registration_format = 1;
constexpr std::uint8_t call_format = 1;
constexpr std::uint8_t rating_profiles_format = 1;
constexpr std::uint8_t reservation_format = 1;

struct Encoder {
    Writer w;

    void operator()(const std::string& s) { w.str(s); }

    void operator()(std::int64_t v) { w.i64(v); }

    void operator()(std::uint64_t v) { w.u64(v); }

    void operator()(std::uint32_t v) { w.u32(v); }

    void operator()(bool v) { w.u8(v ? 1 : 0); }

    void operator()(double v) { w.f64(v); }

    void operator()(ReservationState v) { w.u8(static_cast<std::uint8_t>(v)); }

    template <class T>
    void operator()(const std::vector<T>& items) {
        w.u32(static_cast<std::uint32_t>(items.size()));
        for (const auto& item : items) {
            (*this)(item);
        }
    }

    template <class T>
    requires std::is_class_v<T>

    void operator()(const T& nested) { T::fields(nested, *this); }
};

struct Decoder {
    Reader& r;
    std::size_t remaining; // upper bound for element counts: each element takes a byte or more

    void operator()(std::string& s) { s = r.str(); }

    void operator()(std::int64_t& v) { v = r.i64(); }

    void operator()(std::uint64_t& v) { v = r.u64(); }

    void operator()(std::uint32_t& v) { v = r.u32(); }

    void operator()(bool& v) {
        const std::uint8_t b = r.u8();
        if (b > 1) {
            throw Error::corrupted("bad boolean in SIP row");
        }
        v = b == 1;
    }

    void operator()(double& v) { v = r.f64(); }

    void operator()(ReservationState& v) {
        const std::uint8_t b = r.u8();
        if (b > static_cast<std::uint8_t>(ReservationState::Expired)) {
            throw Error::corrupted("bad reservation state in SIP row");
        }
        v = static_cast<ReservationState>(b);
    }

    template <class T>
    void operator()(std::vector<T>& items) {
        const std::uint32_t n = r.u32();
        if (n > remaining) {
            throw Error::corrupted("element count beyond the end of a SIP row");
        }
        items.clear();
        items.resize(n);
        for (auto& item : items) {
            (*this)(item);
        }
    }

    template <class T>
    requires std::is_class_v<T>

    void operator()(T& nested) { T::fields(nested, *this); }
};

template <class T>
std::string encode_row(const T& row, std::uint8_t format) {
    Encoder e;
    e.w.u8(format);
    T::fields(row, e);
    return std::move(e.w.bytes());
}

template <class T>
void decode_row(std::string_view value, T& out, std::uint8_t format, const char* what) {
    Reader r(value);
    if (r.u8() != format) {
        throw Error::corrupted(std::string("unknown ") + what + " row format");
    }
    out = T{};
    Decoder d{r, value.size()};
    T::fields(out, d);
    if (!r.done()) {
        throw Error::corrupted(std::string("trailing bytes in ") + what + " row");
    }
}

} // namespace

std::string sip_key(std::string_view username, std::string_view domain) {
    std::string k(domain);
    k.push_back('\0');
    k.append(username);
    return k;
}

std::string sip_domain_prefix(std::string_view domain) {
    std::string k(domain);
    k.push_back('\0');
    return k;
}

std::string alias_target_prefix(std::string_view target_username, std::string_view target_domain) {
    std::string k = "alias_target";
    k.push_back('\0');
    k += sip_key(target_username, target_domain);
    k.push_back('\0');
    return k;
}

std::string alias_target_key(const SipAliasRow& alias) {
    return alias_target_prefix(alias.target_username, alias.target_domain) +
           sip_key(alias.username, alias.domain);
}

std::string rating_profiles_key(std::string_view entity) {
    return "e" + std::string(entity);
}

std::string subscriber_entity(std::string_view username, std::string_view domain) {
    return "subscriber://" + std::string(username) + "@" + std::string(domain);
}

std::string mailbox_index_key(std::string_view mailbox) {
    std::string k = "mailbox";
    k.push_back('\0');
    k.append(mailbox);
    return k;
}

std::string reference_prefix(std::string_view index, std::uint64_t id) {
    std::string k(index);
    k.push_back('\0');
    store::put_u64(k, id);
    return k;
}

std::string route_prefix_prefix(std::string_view prefix) {
    std::string k = "route_prefix";
    k.push_back('\0');
    k.append(prefix);
    k.push_back('\0');
    return k;
}

std::uint64_t route_of_prefix_key(std::string_view key) {
    return key.size() < 8 ? 0 : store::get_u64(key, key.size() - 8);
}

std::string held_by_prefix(std::string_view what, std::int64_t tenant) {
    std::string k = "held_by";
    k.push_back('\0');
    k.append(what);
    k.push_back('\0');
    store::put_u64(k, static_cast<std::uint64_t>(tenant));
    return k;
}

namespace {

std::string reference_key(std::string_view index, std::uint64_t id, std::uint64_t holder) {
    std::string k = reference_prefix(index, id);
    store::put_u64(k, holder);
    return k;
}

// The row `key` of `what` held by its customer and its reseller (one entry when they are one).
std::vector<std::string> held_by_keys(std::string_view what, std::int64_t customer,
                                      std::int64_t reseller, std::string_view key) {
    std::vector<std::string> keys{held_by_prefix(what, customer) + std::string(key)};
    if (reseller != customer) {
        keys.push_back(held_by_prefix(what, reseller) + std::string(key));
    }
    return keys;
}

} // namespace

std::vector<std::string> index_keys(const SipDomainRow& row) {
    return held_by_keys("sip_domain", row.customer, row.reseller, row.domain);
}

std::vector<std::string> index_keys(const SipAliasRow& row) {
    return {alias_target_key(row)};
}

std::vector<std::string> index_keys(const TrustedPeerRow& row) {
    return held_by_keys("trusted_peer", row.customer, row.reseller, row.ip);
}

std::vector<std::string> index_keys(const GatewayRow& row) {
    return {reference_key("gateway_carrier", row.carrier_id, row.id)};
}

std::vector<std::string> index_keys(const GatewayRuleRow& row) {
    return {reference_key("rule_gateway", row.gateway_id, row.id)};
}

std::vector<std::string> index_keys(const RouteRow& row) {
    // Priority as an offset binary so a lower priority sorts first, negative ones included.
    std::string by_prefix = route_prefix_prefix(row.prefix);
    store::put_u64(by_prefix, static_cast<std::uint64_t>(row.priority) ^ (std::uint64_t{1} << 63));
    store::put_u64(by_prefix, row.id);
    return {reference_key("route_carrier", row.carrier_id, row.id), std::move(by_prefix)};
}

#define SB_SIP_CODEC(Type, format, what)                                                           \
    std::string encode(const Type& row) {                                                          \
        return encode_row(row, format);                                                            \
    }                                                                                              \
    void decode(std::string_view value, Type& out) {                                               \
        decode_row(value, out, format, what);                                                      \
    }

SB_SIP_CODEC(SipDomainRow, sip_domain_format, "SIP domain")
SB_SIP_CODEC(SipAccountRow, sip_account_format, "SIP account")
SB_SIP_CODEC(SipAliasRow, sip_alias_format, "SIP alias")
SB_SIP_CODEC(SipSettingsRow, sip_settings_format, "SIP settings")
SB_SIP_CODEC(VoicemailRow, voicemail_format, "voicemail")
SB_SIP_CODEC(TrustedPeerRow, trusted_peer_format, "trusted peer")
SB_SIP_CODEC(CarrierRow, carrier_format, "carrier")
SB_SIP_CODEC(GatewayRow, gateway_format, "gateway")
SB_SIP_CODEC(GatewayRuleRow, gateway_rule_format, "gateway rule")
SB_SIP_CODEC(RouteRow, route_format, "route")
SB_SIP_CODEC(PrepaidRow, prepaid_format, "prepaid")
SB_SIP_CODEC(PrepaidCardRow, prepaid_card_format, "prepaid card")
SB_SIP_CODEC(RatingProfilesRow, rating_profiles_format, "rating profiles")
SB_SIP_CODEC(RegistrationRow, registration_format, "registration")
SB_SIP_CODEC(CallRow, call_format, "call")
SB_SIP_CODEC(ReservationRow, reservation_format, "reservation")

#undef SB_SIP_CODEC

} // namespace sb::prov
