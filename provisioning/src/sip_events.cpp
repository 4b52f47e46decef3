// What the SIP proxy reports: registration and call events as JSON (POST <base>events) and
// call detail records as CSV (switchboard import-cdrs). Formats: docs/sip.md.
#include "provisioning/call_data.hpp"
#include "sip_common.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <atomic>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

namespace sb::prov {

namespace {

namespace pt = boost::property_tree;

// JSON through Boost.PropertyTree: scalars come back as their text, arrays as children with
// empty keys.
pt::ptree parse_json(std::string_view body) {
    std::istringstream in{std::string(body)};
    pt::ptree doc;
    try {
        pt::read_json(in, doc);
    } catch (const pt::json_parser_error& e) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "JSON: " + e.message() + " at line " + std::to_string(e.line()));
    }
    return doc;
}

bool is_array(const pt::ptree& t) {
    return !t.empty() && t.begin()->first.empty();
}

bool is_object(const pt::ptree& t) {
    return !t.empty() && !t.begin()->first.empty();
}

using Fields = std::map<std::string, std::string>;

Fields fields_of(const pt::ptree& object) {
    Fields f;
    for (const auto& [k, v] : object) {
        if (is_array(v)) {
            std::string joined;
            for (const auto& item : v) {
                joined += (joined.empty() ? "" : ",") + item.second.data();
            }
            f[k] = joined;
        } else {
            f[k] = v.data();
        }
    }
    return f;
}

std::string field(const Fields& f, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (const auto it = f.find(n); it != f.end() && !it->second.empty()) {
            return it->second;
        }
    }
    return "";
}

double number(const Fields& f, std::initializer_list<const char*> names, double fallback = 0) {
    const std::string text = field(f, names);
    if (text.empty()) {
        return fallback;
    }
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) {
        throw ApiError(ErrorCode::InvalidArgument,
                       std::string(*names.begin()) + ": '" + text + "' is not a number");
    }
    return v;
}

// Unix seconds, or "YYYY-MM-DD HH:MM:SS" (UTC).
std::int64_t time_of(const Fields& f, std::initializer_list<const char*> names) {
    const std::string text = field(f, names);
    if (text.empty()) {
        return 0;
    }
    std::tm tm{};
    if (text.size() >= 19 && text[4] == '-' &&
        sscanf(text.c_str(), "%4d-%2d-%2d%*c%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        return static_cast<std::int64_t>(timegm(&tm));
    }
    return static_cast<std::int64_t>(number(f, names));
}

// host[:port] of a SIP URI ("sip:alice@10.0.0.5:5062;transport=tcp", "sip:198.51.100.7:4000").
std::pair<std::string, std::uint32_t> host_port(std::string uri) {
    if (const auto colon = uri.find(':'); colon != std::string::npos && colon < 6) {
        uri = uri.substr(colon + 1); // scheme
    }
    if (const auto at = uri.find('@'); at != std::string::npos) {
        uri = uri.substr(at + 1);
    }
    uri = uri.substr(0, uri.find_first_of(";?>"));
    std::string host = uri;
    std::uint32_t port = 0;
    if (!uri.empty() && uri[0] == '[') {
        const auto close = uri.find(']');
        host = uri.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        if (close != std::string::npos && close + 1 < uri.size() && uri[close + 1] == ':') {
            port = static_cast<std::uint32_t>(std::strtoul(uri.c_str() + close + 2, nullptr, 10));
        }
    } else if (const auto colon = uri.rfind(':'); colon != std::string::npos) {
        host = uri.substr(0, colon);
        port = static_cast<std::uint32_t>(std::strtoul(uri.c_str() + colon + 1, nullptr, 10));
    }
    return {host, port};
}

std::string uri_param(const std::string& uri, const std::string& name) {
    const auto at = sip::lower(uri).find(";" + name + "=");
    if (at == std::string::npos) {
        return "";
    }
    const auto start = at + name.size() + 2;
    return sip::lower(uri.substr(start, uri.find_first_of(";?>", start) - start));
}

RegistrationEvent registration_of(const Fields& f, bool removed) {
    RegistrationEvent e;
    e.username = field(f, {"username", "user"});
    e.domain = field(f, {"domain"});
    if (const std::string aor = field(f, {"aor"}); !aor.empty() && e.username.empty()) {
        std::string a = aor;
        if (a.rfind("sip:", 0) == 0) {
            a = a.substr(4);
        }
        const auto at = a.find('@');
        e.username = a.substr(0, at);
        e.domain = at == std::string::npos ? "" : a.substr(at + 1);
    }
    e.contact = field(f, {"contact", "uri"});
    const auto [host, port] = host_port(e.contact);
    e.address = field(f, {"address"});
    e.port = static_cast<std::uint32_t>(number(f, {"port"}, 0));
    if (e.address.empty()) {
        e.address = host;
        e.port = port != 0 ? port : 5060;
    }
    e.public_address = field(f, {"public_address"});
    e.public_port = static_cast<std::uint32_t>(number(f, {"public_port"}, 0));
    if (const std::string received = field(f, {"received"});
        !received.empty() && e.public_address.empty()) {
        std::tie(e.public_address, e.public_port) = host_port(received);
    }
    e.user_agent = field(f, {"user_agent"});
    e.transport = sip::lower(field(f, {"transport"}));
    if (e.transport.empty()) {
        e.transport = uri_param(e.contact, "transport");
    }
    if (e.transport.empty()) {
        const std::string socket = field(f, {"socket"}); // OpenSIPS "udp:192.0.2.1:5060"
        e.transport = socket.find(':') != std::string::npos
                          ? sip::lower(socket.substr(0, socket.find(':')))
                          : "udp";
    }
    if (removed) {
        e.expires = 0;
    } else if (const std::int64_t at = time_of(f, {"expires_at"}); at != 0) {
        e.expires = at - now();
    } else {
        e.expires = static_cast<std::int64_t>(number(f, {"expires"}, 0));
    }
    return e;
}

} // namespace

CallView call_of(const std::map<std::string, std::string>& f) {
    CallView c;
    c.call_id = field(f, {"call_id", "callid", "sessionId"});
    c.from_uri = field(f, {"from_uri", "caller"});
    c.to_uri = field(f, {"to_uri", "callee", "ruri"});
    c.from_header = field(f, {"from_header"});
    c.start = time_of(f, {"start", "start_time", "created"});
    c.stop = time_of(f, {"stop", "stop_time"});
    c.duration = static_cast<std::int64_t>(number(f, {"duration"}, 0));
    if (c.stop == 0 && c.duration > 0) {
        c.stop = c.start + c.duration;
    }
    c.status = static_cast<std::int64_t>(number(f, {"status", "sip_code"}, 200));
    c.price = number(f, {"price"}, 0);
    c.rate = field(f, {"rate"});
    c.from_tag = field(f, {"from_tag"});
    c.to_tag = field(f, {"to_tag"});
    c.proxy_ip = field(f, {"proxy_ip"});
    std::string media = field(f, {"media", "application_types"});
    for (std::size_t pos = 0; !media.empty() && pos != std::string::npos;) {
        const auto comma = media.find(',', pos);
        std::string m = media.substr(pos, comma == std::string::npos ? comma : comma - pos);
        m.erase(0, m.find_first_not_of(' '));
        if (!m.empty()) {
            c.media.push_back(m);
        }
        pos = comma == std::string::npos ? comma : comma + 1;
    }
    if (c.media.empty()) {
        c.media.push_back("audio");
    }
    return c;
}

EventsResult apply_events_json(CallDataService& calls, PrepaidService& prepaid,
                               std::string_view body) {
    const pt::ptree doc = parse_json(body);
    std::vector<const pt::ptree*> events;
    if (is_array(doc)) {
        for (const auto& e : doc) {
            events.push_back(&e.second);
        }
    } else if (is_object(doc)) {
        const auto list = doc.get_child_optional("events");
        if (list && is_array(*list)) {
            for (const auto& e : *list) {
                events.push_back(&e.second);
            }
        } else {
            events.push_back(&doc);
        }
    } else {
        throw ApiError(ErrorCode::InvalidArgument, "JSON: an event object or an array of them");
    }
    EventsResult result;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (!is_object(*events[i])) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "event " + std::to_string(i) + ": not a JSON object");
        }
        const Fields f = fields_of(*events[i]);
        const std::string type = field(f, {"type", "event"});
        bool stored = false;
        try {
            if (type == "registration" || type == "E_UL_CONTACT_INSERT" ||
                type == "E_UL_CONTACT_UPDATE") {
                stored = calls.record_registration(registration_of(f, false));
            } else if (type == "unregistration" || type == "E_UL_CONTACT_DELETE") {
                stored = calls.record_registration(registration_of(f, true));
            } else if (type == "call" || type == "cdr" || type == "E_ACC_CDR") {
                stored = calls.record_call(call_of(f));
            } else if (type == "prepaid_card") {
                PrepaidCard card;
                card.id = static_cast<std::uint64_t>(number(f, {"id"}, 0));
                card.number = field(f, {"number"});
                card.value = number(f, {"value"}, 0);
                prepaid.add_prepaid_card(card);
                stored = true;
            } else {
                throw ApiError(ErrorCode::InvalidArgument,
                               "type: '" + type +
                                   "' is not registration, unregistration, "
                                   "call or prepaid_card");
            }
        } catch (const ApiError& e) {
            throw ApiError(e.code(), "event " + std::to_string(i) + ": " + e.what());
        }
        (stored ? result.accepted : result.ignored) += 1;
    }
    // Expired registrations and calls beyond the retention go at most once a minute.
    static std::atomic<std::int64_t> last_purge{0};
    const std::int64_t t = now();
    if (std::int64_t last = last_purge.load();
        t - last >= 60 && last_purge.compare_exchange_strong(last, t)) {
        calls.purge_call_data();
    }
    return result;
}

namespace {

// One CSV record (RFC 4180 quoting) from `in`; false at the end.
bool csv_record(std::istream& in, std::vector<std::string>& out) {
    out.clear();
    std::string cell;
    bool quoted = false, any = false;
    char c;
    while (in.get(c)) {
        any = true;
        if (quoted) {
            if (c == '"') {
                if (in.peek() == '"') {
                    cell.push_back('"');
                    in.get();
                } else {
                    quoted = false;
                }
            } else {
                cell.push_back(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(std::move(cell));
            cell.clear();
        } else if (c == '\n') {
            break;
        } else if (c != '\r') {
            cell.push_back(c);
        }
    }
    if (!any) {
        return false;
    }
    out.push_back(std::move(cell));
    return true;
}

} // namespace

EventsResult import_cdrs(store::Env& env, const std::filesystem::path& file,
                         unsigned call_data_days) {
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error("import-cdrs: cannot read " + file.string());
    }
    CallDataService calls(env, SipOptions{call_data_days});
    std::vector<std::string> header, row;
    if (!csv_record(in, header)) {
        throw std::runtime_error("import-cdrs: " + file.string() + " is empty");
    }
    EventsResult result;
    for (std::size_t line = 2; csv_record(in, row); ++line) {
        if (row.size() == 1 && row[0].empty()) {
            continue;
        }
        Fields f;
        for (std::size_t i = 0; i < header.size() && i < row.size(); ++i) {
            f[header[i]] = row[i];
        }
        try {
            (calls.record_call(call_of(f)) ? result.accepted : result.ignored) += 1;
        } catch (const ApiError& e) {
            throw std::runtime_error("import-cdrs: " + file.string() + " line " +
                                     std::to_string(line) + ": " + e.what());
        }
    }
    calls.purge_call_data();
    return result;
}

} // namespace sb::prov
