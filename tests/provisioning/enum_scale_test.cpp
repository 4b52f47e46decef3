// Issue 5, done-when 3: 100,000 numbers added through the ENUM service (the store API):
// getNumbers pages through all of them in number order with the right total, and random
// numbers are answered over DNS by the real dnsd server on the same store.
#include "dnsd/dnsd.hpp"
#include "provisioning/services.hpp"
#include "temp_dir.hpp"
#include "zones/enum.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

using namespace sb;

namespace {

constexpr int numbers = 100000;

std::string number_at(int i) {
    // 31208 + a 6-digit suffix: 11-digit numbers spread over the range 31208000000..31208999999,
    // added in a shuffled order so that the listing order is the store's, not ours.
    char buf[16];
    std::snprintf(buf, sizeof buf, "31208%06d", (i * 7919) % 1000000);
    return buf;
}

// One UDP query; returns the number of answer RRs and the rcode, or -1 on no reply.
std::pair<int, int> query_naptr(std::uint16_t port, const std::string& name) {
    ldns_pkt* q = nullptr;
    if (ldns_pkt_query_new_frm_str(&q, name.c_str(), LDNS_RR_TYPE_NAPTR, LDNS_RR_CLASS_IN, 0) !=
        LDNS_STATUS_OK) {
        return {-1, -1};
    }
    std::uint8_t* wire = nullptr;
    std::size_t wire_len = 0;
    ldns_pkt2wire(&wire, q, &wire_len);
    ldns_pkt_free(q);
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sendto(fd, wire, wire_len, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    free(wire);
    std::uint8_t buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    close(fd);
    if (n <= 0) {
        return {-1, -1};
    }
    ldns_pkt* r = nullptr;
    if (ldns_wire2pkt(&r, buf, static_cast<std::size_t>(n)) != LDNS_STATUS_OK) {
        return {-1, -1};
    }
    const std::pair<int, int> out{static_cast<int>(ldns_pkt_ancount(r)),
                                  static_cast<int>(ldns_pkt_get_rcode(r))};
    ldns_pkt_free(r);
    return out;
}

} // namespace

TEST_CASE("100,000 ENUM numbers page in order and answer over DNS", "[prov][enum][scale]") {
    test::TempDir dir;
    store::Options opts;
    opts.durable = false; // a bulk load: 100,000 fsyncs would only measure the disk
    store::Env env(dir.path(), opts);
    prov::EnumService enums(env, prov::DnsDefaults{{"ns1.example.net", "ns2.example.net"}});
    const prov::Caller admin{true, 0, 0, "admin"};

    prov::EnumRangeInput range;
    range.prefix = "31208";
    range.min_digits = 11;
    range.max_digits = 11;
    enums.add_range(admin, range);
    for (int i = 0; i < numbers; ++i) {
        prov::EnumNumberInput n;
        n.number = number_at(i);
        n.mappings = {{0, "sip", "sip:user" + std::to_string(i) + "@example.com", 10, 0}};
        enums.add_number(admin, n);
    }

    prov::EnumNumberFilter filter;
    filter.tld = "e164.arpa";
    std::string previous;
    std::int64_t seen = 0;
    for (std::int64_t start = 0;; start += 5000) {
        const auto page = enums.get_numbers(admin, filter, {start, 5000}, {});
        REQUIRE(page.total == numbers);
        if (page.items.empty()) {
            break;
        }
        for (const auto& n : page.items) {
            REQUIRE(previous < n.number); // strictly increasing: ordered, no duplicates
            previous = n.number;
        }
        seen += static_cast<std::int64_t>(page.items.size());
    }
    CHECK(seen == numbers);
    CHECK(enums.get_ranges(admin, {}, {}, {}).items.at(0).range.used == numbers);

    // The same store served by dnsd: random provisioned numbers answer one NAPTR, numbers
    // never provisioned inside the range answer NXDOMAIN.
    std::uint16_t port = 0;
    std::unique_ptr<dnsd::Server> server;
    std::mt19937 rng(42);
    for (int attempt = 0; attempt < 20 && !server; ++attempt) {
        port = static_cast<std::uint16_t>(20000 + rng() % 40000);
        try {
            dnsd::Options o;
            o.listen = {"127.0.0.1:" + std::to_string(port)};
            o.workers = 1;
            server = std::make_unique<dnsd::Server>(env, o);
        } catch (const std::runtime_error&) {
        }
    }
    REQUIRE(server);
    std::thread runner([&] { server->run(); });
    int answered = 0, nxdomain = 0;
    for (int k = 0; k < 200; ++k) {
        const int i = static_cast<int>(rng() % numbers);
        const auto [an, rcode] = query_naptr(port, zones::e164_name(number_at(i), "e164.arpa"));
        answered += an == 1 && rcode == 0 ? 1 : 0;
    }
    // Two numbers of the range that number_at() never generates.
    std::vector<bool> used(1000000);
    for (int i = 0; i < numbers; ++i) {
        used[static_cast<std::size_t>((i * 7919) % 1000000)] = true;
    }
    std::vector<std::string> missing;
    for (int suffix = 0; missing.size() < 2; ++suffix) {
        if (!used[static_cast<std::size_t>(suffix)]) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "31208%06d", suffix);
            missing.emplace_back(buf);
        }
    }
    for (const auto& missing_number : missing) {
        const auto [an, rcode] = query_naptr(port, zones::e164_name(missing_number, "e164.arpa"));
        nxdomain += an == 0 && rcode == LDNS_RCODE_NXDOMAIN ? 1 : 0;
    }
    server->stop();
    runner.join();
    CHECK(answered == 200);
    CHECK(nxdomain == 2);
}
