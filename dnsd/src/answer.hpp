// The one answer function every transport calls (STYLE.md §2): query bytes in, response bytes
// out, no allocation, no exception.
#pragma once

#include "cookie.hpp"
#include "store/store.hpp"
#include "tsig.hpp"
#include "zones/zone_index.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sb::dnsd {

enum class Rcode : std::uint8_t {
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    YxDomain = 6,
    NotAuth = 9,
    BadVers = 16,   // extended (RFC 6891 §6.1.3): upper 8 bits go in the OPT TTL
    BadCookie = 23, // extended (RFC 7873 §8)
};

enum class Transport : std::uint8_t { Udp, Tcp };

// A worker's view of the store for one batch: a live read txn, its DnsNodes cursor and the
// zone index synced to it.
struct Snapshot {
    const store::ReadTxn& txn;
    store::Cursor& cursor;
    const zones::ZoneIndex& zones;
    // A cursor on Table::DnssecChain of the same txn (renewed with it): the NSEC/NSEC3 proofs of
    // DO=1 answers. Null: answers carry no DNSSEC records.
    store::Cursor* chain = nullptr;
};

// What answer() needs beyond the query and the store.
struct AnswerOptions {
    std::uint16_t max_udp_payload = 1232;
    // CH TXT id.server / hostname.bind and version.bind / version.server; empty: REFUSED.
    std::string_view identity;
    std::string_view version;
    // The TSIG keys we know (the transfer keys). A query signed with any other key gets
    // NOTAUTH with a TSIG RR carrying BADKEY (RFC 8945 §5.2.1); null: none known.
    const std::vector<TsigKey>* tsig_keys = nullptr;
};

// Answers `query` into `out` and returns the response length, 0 when nothing must be sent
// (shorter than a header, or a response). `snapshot` null means the store could not be read:
// queries that need it get SERVFAIL. UDP answers are limited to 512 bytes, or with EDNS(0) to
// the client's size clamped to [512, max_udp_payload]; TCP answers to out.size().
std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, std::uint16_t max_udp_payload,
                   std::span<std::uint8_t> out) noexcept;

std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, const AnswerOptions& options,
                   std::span<std::uint8_t> out) noexcept;

// One query's client, for DNS Cookies (cookie.hpp), and what answer() decided about it.
struct Client {
    CookieContext cookie;
    Rcode rcode = Rcode::NoError; // out: the rcode answered, extended ones included
    // out: the qtype of the question answer() echoed, 0 when none (answered by answer())
    bool answered = false;
    std::uint16_t qtype = 0;
};

// As above, with the client's cookie handled and the answered rcode reported in `client`.
std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, const AnswerOptions& options, Client& client,
                   std::span<std::uint8_t> out) noexcept;

// The parts of a query the transfer code needs (TCP AXFR/IXFR, NOTIFY): false when the
// message is not a well-formed single-question query.
struct QueryInfo {
    std::uint16_t id = 0;
    std::uint16_t opcode = 0;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    std::size_t question_end = 0; // offset just past the question
};

bool query_info(std::span<const std::uint8_t> query, QueryInfo& out) noexcept;

} // namespace sb::dnsd
