// Lenient (de)serializers for the XSD scalar types declared `extern typedef` in ngnpro.h.
//
// The PHP client (PEAR SOAP, reference/ngnpro-api.md §1.4) types scalars by PHP's run-time
// type, not by the WSDL: booleans and unsigned ints arrive as xsd:int, doubles as xsd:float,
// numbers as xsd:string, "not given" as an empty element. gSOAP's built-in deserializers
// reject a mismatched xsi:type, so for these types soapcpp2 calls the functions below
// instead. Input: xsi:type is ignored, the text is parsed by its lexical value (empty = 0 /
// false), a non-numeric number is a SOAP_TYPE error. Output: every value carries its proper
// xsi:type (xsd:int, xsd:boolean, ...) so PEAR decodes it as the right PHP type (§1.5).

#include "soapH.h"

#define SB_WSDL_SHIM_NO_MACROS
#include "soapC_shim.hpp"

// The gSOAP namespace table (global `namespaces`), defined once for every sb_wsdl user.
// Prefixes are ours; incoming messages are matched by namespace URI, whatever their prefix.
#include "NGNPro.nsmap"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace {

std::string_view trimmed(const char* s) {
    if (s == nullptr)
        return {};
    std::string_view v{s};
    constexpr std::string_view space = " \t\r\n";
    const auto first = v.find_first_not_of(space);
    if (first == std::string_view::npos)
        return {};
    const auto last = v.find_last_not_of(space);
    return v.substr(first, last - first + 1);
}

bool parse_double(std::string_view v, double& out) {
    if (!v.empty() && v.front() == '+')
        v.remove_prefix(1);
    if (v == "INF" || v == "inf" || v == "Infinity") {
        out = std::numeric_limits<double>::infinity();
        return true;
    }
    if (v == "-INF" || v == "-inf" || v == "-Infinity") {
        out = -std::numeric_limits<double>::infinity();
        return true;
    }
    if (v == "NaN" || v == "nan") {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    const auto* end = v.data() + v.size();
    const auto [ptr, ec] = std::from_chars(v.data(), end, out);
    return ec == std::errc{} && ptr == end;
}

// Integers: a plain decimal ("42", "+42", "-1"), or a numeric form with an integral value
// ("42.0", "4.2e1": PHP floats re-sent as xsd:float). Out of range for T is an error.
template <class T>
bool parse_integer(std::string_view v, T& out) {
    if (!v.empty() && v.front() == '+')
        v.remove_prefix(1);
    const auto* end = v.data() + v.size();
    const auto [ptr, ec] = std::from_chars(v.data(), end, out);
    if (ec == std::errc{} && ptr == end)
        return true;
    if (ec == std::errc::result_out_of_range)
        return false;
    double d = 0;
    if (!parse_double(v, d) || !std::isfinite(d) || d != std::trunc(d))
        return false;
    if (d < static_cast<double>(std::numeric_limits<T>::min()) ||
        d >= static_cast<double>(std::numeric_limits<T>::max()) + 1.0)
        return false;
    out = static_cast<T>(d);
    return true;
}

bool parse_boolean(std::string_view v, bool& out) {
    if (v.empty() || v == "0" || v == "false" || v == "False" || v == "FALSE") {
        out = false;
        return true;
    }
    if (v == "1" || v == "true" || v == "True" || v == "TRUE") {
        out = true;
        return true;
    }
    // Any other number: non-zero is true (PHP's view of an int used as a flag).
    double d = 0;
    if (parse_double(v, d) && !std::isnan(d)) {
        out = d != 0;
        return true;
    }
    return false;
}

template <class T>
int s2integer(struct soap* soap, const char* s, T* a) {
    *a = 0;
    const auto v = trimmed(s);
    if (v.empty())
        return SOAP_OK;
    T value{};
    if (!parse_integer(v, value))
        return soap->error = SOAP_TYPE;
    *a = value;
    return SOAP_OK;
}

template <class T>
const char* integer2s(struct soap* soap, T a) {
    const auto [ptr, ec] = std::to_chars(soap->tmpbuf, soap->tmpbuf + sizeof soap->tmpbuf - 1, a);
    *(ec == std::errc{} ? ptr : soap->tmpbuf) = '\0';
    return soap->tmpbuf;
}

const char* double2s(struct soap* soap, double a) {
    if (std::isnan(a))
        return "NaN";
    if (std::isinf(a))
        return a > 0 ? "INF" : "-INF";
    const auto [ptr, ec] = std::to_chars(soap->tmpbuf, soap->tmpbuf + sizeof soap->tmpbuf - 1, a);
    *(ec == std::errc{} ? ptr : soap->tmpbuf) = '\0';
    return soap->tmpbuf;
}

// Shared body of every soap_in_xsd__X: like gSOAP's own, minus the xsi:type check.
template <class T, class S2>
T* lenient_in(struct soap* soap, const char* tag, T* a, int type_id, S2 s2x) {
    if (soap_element_begin_in(soap, tag, 0, nullptr))
        return nullptr;
    a = static_cast<T*>(
        soap_id_enter(soap, soap->id, a, type_id, sizeof(T), nullptr, nullptr, nullptr, nullptr));
    if (a == nullptr)
        return nullptr;
    if (*soap->href == '\0') {
        const int err = s2x(soap, soap_value(soap), a);
        if ((soap->body && soap_element_end_in(soap, tag)) || err)
            return nullptr;
    } else {
        a = static_cast<T*>(
            soap_id_forward(soap, soap->href, a, 0, type_id, 0, sizeof(T), 0, nullptr, nullptr));
        if (soap->body && soap_element_end_in(soap, tag))
            return nullptr;
    }
    return a;
}

// Shared body of every soap_out_xsd__X: always writes the proper xsi:type.
template <class T>
int typed_out(struct soap* soap, const char* tag, int id, const T* a, int type_id,
              const char* xsi_type, const char* text) {
    if (soap_element_begin_out(soap, tag, soap_embedded_id(soap, id, a, type_id), xsi_type) ||
        soap_string_out(soap, text, 0))
        return soap->error;
    return soap_element_end_out(soap, tag);
}

} // namespace

// One block per extern typedef; X = the gSOAP name, T = the C++ type, XSI = its xsi:type.
#define SB_LENIENT_INTEGER(X, T, XSI)                                                              \
    void soap_default_##X(struct soap*, T* a) {                                                    \
        *a = 0;                                                                                    \
    }                                                                                              \
    const char* soap_##X##2s(struct soap * soap, T a) {                                            \
        return integer2s(soap, a);                                                                 \
    }                                                                                              \
    int soap_s2##X(struct soap* soap, const char* s, T* a) {                                       \
        return s2integer(soap, s, a);                                                              \
    }                                                                                              \
    int soap_out_##X(struct soap* soap, const char* tag, int id, const T* a, const char*) {        \
        return typed_out(soap, tag, id, a, SOAP_TYPE_##X, XSI, soap_##X##2s(soap, *a));            \
    }                                                                                              \
    T* soap_in_##X(struct soap* soap, const char* tag, T* a, const char*) {                        \
        return lenient_in(soap, tag, a, SOAP_TYPE_##X, soap_s2##X);                                \
    }

SB_LENIENT_INTEGER(xsd__int, int, "xsd:int")
SB_LENIENT_INTEGER(xsd__unsignedInt, unsigned int, "xsd:unsignedInt")
SB_LENIENT_INTEGER(xsd__unsignedShort, unsigned short, "xsd:unsignedShort")
SB_LENIENT_INTEGER(xsd__integer, LONG64, "xsd:integer")
SB_LENIENT_INTEGER(xsd__nonNegativeInteger, ULONG64, "xsd:nonNegativeInteger")

#undef SB_LENIENT_INTEGER

void soap_default_xsd__boolean(struct soap*, bool* a) {
    *a = false;
}

const char* soap_xsd__boolean2s(struct soap*, bool a) {
    return a ? "true" : "false";
}

int soap_s2xsd__boolean(struct soap* soap, const char* s, bool* a) {
    *a = false;
    bool value = false;
    if (!parse_boolean(trimmed(s), value))
        return soap->error = SOAP_TYPE;
    *a = value;
    return SOAP_OK;
}

int soap_out_xsd__boolean(struct soap* soap, const char* tag, int id, const bool* a, const char*) {
    return typed_out(soap, tag, id, a, SOAP_TYPE_xsd__boolean, "xsd:boolean",
                     soap_xsd__boolean2s(soap, *a));
}

bool* soap_in_xsd__boolean(struct soap* soap, const char* tag, bool* a, const char*) {
    return lenient_in(soap, tag, a, SOAP_TYPE_xsd__boolean, soap_s2xsd__boolean);
}

void soap_default_xsd__double(struct soap*, double* a) {
    *a = 0;
}

const char* soap_xsd__double2s(struct soap* soap, double a) {
    return double2s(soap, a);
}

int soap_s2xsd__double(struct soap* soap, const char* s, double* a) {
    *a = 0;
    const auto v = trimmed(s);
    if (v.empty())
        return SOAP_OK;
    double value = 0;
    if (!parse_double(v, value))
        return soap->error = SOAP_TYPE;
    *a = value;
    return SOAP_OK;
}

int soap_out_xsd__double(struct soap* soap, const char* tag, int id, const double* a, const char*) {
    return typed_out(soap, tag, id, a, SOAP_TYPE_xsd__double, "xsd:double",
                     soap_xsd__double2s(soap, *a));
}

double* soap_in_xsd__double(struct soap* soap, const char* tag, double* a, const char*) {
    return lenient_in(soap, tag, a, SOAP_TYPE_xsd__double, soap_s2xsd__double);
}

// ---------------------------------------------------------------------------------------
// SOAP-encoded arrays: the wrappers soapC_shim.hpp routes the generated code through.

namespace {

// "ngnpro:StringArray" -> "xsd:string", "ngnpro:<Item>Array" -> "ngnpro:<Item>", else false.
bool array_item_type(const char* type, char (&item)[128]) {
    if (type == nullptr)
        return false;
    const std::string_view name{type};
    constexpr std::string_view prefix = "ngnpro:";
    constexpr std::string_view suffix = "Array";
    if (!name.starts_with(prefix) || !name.ends_with(suffix) ||
        name.size() <= prefix.size() + suffix.size() || name.size() >= sizeof item)
        return false;
    if (name == "ngnpro:StringArray") {
        std::memcpy(item, "xsd:string", sizeof "xsd:string");
        return true;
    }
    const auto item_name = name.substr(0, name.size() - suffix.size());
    std::memcpy(item, item_name.data(), item_name.size());
    item[item_name.size()] = '\0';
    return true;
}

} // namespace

namespace sb::wsdl::detail {

// A gSOAP upgrade that changes these runtime functions' signatures breaks the rerouting in
// soapC_shim.hpp: it fails here, at build time (generate.cmake checks that the generated code
// still calls them).
static_assert(std::is_same_v<decltype(&match_array), decltype(&::soap_match_array)>);
static_assert(std::is_same_v<decltype(&element_id), decltype(&::soap_element_id)>);
static_assert(std::is_same_v<decltype(&element_begin_out), decltype(&::soap_element_begin_out)>);

int match_array(struct soap*, const char*) {
    return SOAP_OK;
}

// The generated serializer of an array calls element_id, then (when it returned an id >= 0)
// element_begin_out for the same element. element_id leaves the arrayType ("ngnpro:Item[n]")
// in the context's own type buffer, where soap_putsizesoffsets writes it; element_begin_out
// recognizes the array by its type name and opens it with that arrayType. No state outside
// the context.
int element_id(struct soap* soap, const char* tag, int id, const void* p, const void* a, int n,
               const char* type, int t, char** mark) {
    const int result = ::soap_element_id(soap, tag, id, p, a, n, type, t, mark);
    char item_type[128];
    if (result >= 0 && array_item_type(type, item_type)) {
        soap_putsizesoffsets(soap, item_type, &n, nullptr, 1);
    }
    return result;
}

int element_begin_out(struct soap* soap, const char* tag, int id, const char* type) {
    char item_type[128];
    if (array_item_type(type, item_type)) {
        // soap_array_begin_out writes SOAP-ENC:arrayType only; PEAR also looks at xsi:type.
        if (soap_set_attr(soap, "xsi:type", "SOAP-ENC:Array", 1))
            return soap->error;
        return soap_array_begin_out(soap, tag, id, soap->type, nullptr);
    }
    return ::soap_element_begin_out(soap, tag, id, type);
}

} // namespace sb::wsdl::detail
