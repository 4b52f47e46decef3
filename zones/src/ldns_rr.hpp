// ldns handles owned once (STYLE.md §6) and the two conversions every ldns user in zones/
// needs: an RR's rdata in wire form and an rdata field as text.
#pragma once

#include "zones/zones.hpp"

#include <ldns/ldns.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace sb::zones::detail {

struct RrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};

using RrPtr = std::unique_ptr<ldns_rr, RrFree>;

struct BufferFree {
    void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};

using BufferPtr = std::unique_ptr<ldns_buffer, BufferFree>;

// The type whose presentation format ldns reads and prints `t`'s rdata with: `t` itself,
// except NSAP-PTR, whose rdata ldns 1.8.3 takes for a character-string where RFC 1348 has a
// domain name — the PTR format.
inline RRType ldns_format_of(RRType t) noexcept {
    return static_cast<std::uint16_t>(t) == 23 ? RRType::PTR : t;
}

// The rdata of `rr` in wire form (names uncompressed). Throws InvalidValue("value").
inline std::string wire_rdata(const ldns_rr* rr) {
    const BufferPtr buf(ldns_buffer_new(512));
    if (ldns_rr_rdata2buffer_wire(buf.get(), rr) != LDNS_STATUS_OK) {
        throw InvalidValue("value", "cannot encode rdata");
    }
    return std::string(reinterpret_cast<const char*>(ldns_buffer_begin(buf.get())),
                       ldns_buffer_position(buf.get()));
}

// Presentation text of one rdata field ("" when ldns cannot print it).
inline std::string rdf_text(const ldns_rdf* rdf) {
    char* s = ldns_rdf2str(rdf);
    std::string out = s != nullptr ? s : "";
    std::free(s);
    return out;
}

} // namespace sb::zones::detail
