// EnumService without SOAP: a range is a served zone, numbers become NAPTRs at their e164
// names, every validation refusal has its code and changes nothing, queries page in order.
#include "api_error.hpp"
#include "provisioning/services.hpp"
#include "temp_dir.hpp"
#include "tenants.hpp"
#include "zones/compile.hpp"
#include "zones/enum.hpp"
#include "zones/node.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace sb;
using prov::ErrorCode;
using test::code_of;

namespace {

struct Fixture {
    test::TempDir dir;
    store::Env env{dir.path()};
    prov::EnumService enums{env, prov::DnsDefaults{{"ns1.example.net", "ns2.example.net"}}};
    prov::Caller admin{true, 0, 0, "admin"};

    void add_range(const std::string& prefix, std::uint32_t min = 0, std::uint32_t max = 0) {
        prov::EnumRangeInput r;
        r.prefix = prefix;
        r.min_digits = min;
        r.max_digits = max;
        enums.add_range(admin, r);
    }

    void add_number(const std::string& number, std::vector<prov::EnumMappingInput> maps) {
        prov::EnumNumberInput n;
        n.number = number;
        n.mappings = std::move(maps);
        enums.add_number(admin, n);
    }

    std::vector<std::string> naptrs(const std::string& number) {
        store::ReadTxn txn(env);
        std::vector<std::string> out;
        auto v =
            txn.get(store::Table::DnsNodes, zones::name_key(zones::e164_name(number, "e164.arpa")));
        if (!v) {
            return out;
        }
        zones::NodeView node(*v);
        zones::RrsetView set;
        if (node.find(zones::RRType::NAPTR, set)) {
            std::size_t pos = 0;
            zones::RrView rr{};
            while (set.next_rr(pos, rr)) {
                out.push_back(zones::rdata_to_text(zones::RRType::NAPTR, rr.rdata));
            }
        }
        return out;
    }

    std::uint32_t serial() { return enums.get_ranges(admin, {}, {}, {}).items.at(0).zone.serial; }
};

} // namespace

TEST_CASE("e164 names reverse the digits under the tld", "[prov][enum]") {
    CHECK(zones::e164_name("31208005100", "e164.arpa") == "0.0.1.5.0.0.8.0.2.1.3.e164.arpa");
    CHECK(zones::e164_name("", "e164.org") == "e164.org");
}

TEST_CASE("numbers become NAPTRs with the documented order and preference", "[prov][enum]") {
    Fixture f;
    f.add_range("31208005", 11, 11);
    f.add_number("31208005100", {{0, "sip", "sip:alice@example.com", 10, 0},
                                 {0, "mailto", "mailto:a@b.c", 20, 0}});
    const auto got = f.naptrs("31208005100");
    REQUIRE(got.size() == 2);
    CHECK(got[0] == "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:alice@example.com!\" .");
    CHECK(got[1] == "100 20 \"u\" \"E2U+mailto\" \"!^.*$!mailto:a@b.c!\" .");
    const auto n = f.enums.get_number(f.admin, "31208005100", "");
    REQUIRE(n.mappings.size() == 2);
    CHECK(f.enums.get_ranges(f.admin, {}, {}, {}).items.at(0).range.used == 1);
}

TEST_CASE("updateNumber keeps mapping ids and replaces the NAPTRs", "[prov][enum]") {
    Fixture f;
    f.add_range("31208005");
    f.add_number("31208005100", {{0, "sip", "sip:alice@example.com", 10, 0}});
    const auto before = f.enums.get_number(f.admin, "31208005100", "e164.arpa");
    const std::uint32_t id = before.mappings.at(0).id;
    prov::EnumNumberInput n;
    n.number = "31208005100";
    n.mappings = {{id, "sip", "sip:bob@example.com", 5, 0}, {0, "tel", "tel:+31208005101", 7, 0}};
    f.enums.update_number(f.admin, n);
    const auto after = f.enums.get_number(f.admin, "31208005100", "e164.arpa");
    REQUIRE(after.mappings.size() == 2);
    CHECK(after.mappings[0].id == id);
    CHECK(after.mappings[1].id != id);
    CHECK(f.naptrs("31208005100").at(0) ==
          "100 5 \"u\" \"E2U+sip\" \"!^.*$!sip:bob@example.com!\" .");
    f.enums.delete_number(f.admin, "31208005100", "e164.arpa");
    CHECK(f.naptrs("31208005100").empty());
    CHECK(code_of([&] { f.enums.get_number(f.admin, "31208005100", ""); }) ==
          ErrorCode::EnumNumberNotFound);
}

TEST_CASE("a number's NAPTRs are stored once, in its node, and read back whole", "[prov][enum]") {
    Fixture f;
    f.add_range("31208005");
    f.add_number("31208005100", {{0, "sip", "sip:alice@example.com", 10, 300},
                                 {0, "npd:tel", "tel:+31208005100;npdi", 20, 0}});
    const std::string key = zones::name_key(zones::e164_name("31208005100", "e164.arpa"));
    {
        store::ReadTxn txn(f.env);
        // The slim row ends the number's node: no mapto, no service, a fraction of its size.
        CHECK_FALSE(txn.get(store::Table::EnumNumbers, key));
        const auto node = txn.get(store::Table::DnsNodes, key);
        REQUIRE(node);
        const std::string_view row =
            store::split_node_tail(zones::NodeView(*node).tail()).enum_number;
        REQUIRE(!row.empty());
        CHECK(row.find("alice@example.com") == std::string_view::npos);
        CHECK(row.find("npd") == std::string_view::npos);
        CHECK(row.size() < 30);
    }
    const auto check_mappings = [&](std::uint32_t default_ttl) {
        const auto n = f.enums.get_number(f.admin, "31208005100", "e164.arpa");
        REQUIRE(n.mappings.size() == 2);
        CHECK(n.mappings[0].type == "sip");
        CHECK(n.mappings[0].mapto == "sip:alice@example.com");
        CHECK(n.mappings[0].priority == 10);
        CHECK(n.mappings[0].ttl == 300);
        CHECK(n.mappings[1].type == "npd:tel");
        CHECK(n.mappings[1].mapto == "tel:+31208005100;npdi");
        CHECK(n.mappings[1].priority == 20);
        CHECK(n.mappings[1].ttl == 0); // the range's, as given
        store::ReadTxn txn(f.env);
        zones::RrsetView set;
        REQUIRE(
            zones::NodeView(*txn.get(store::Table::DnsNodes, key)).find(zones::RRType::NAPTR, set));
        std::size_t pos = 0;
        zones::RrView rr{};
        REQUIRE(set.next_rr(pos, rr));
        CHECK(rr.ttl == 300);
        REQUIRE(set.next_rr(pos, rr));
        CHECK(rr.ttl == default_ttl);
    };
    check_mappings(3600);
    // A range TTL change rebuilds the node from the node before: the mappings survive it.
    prov::EnumRangeInput r;
    r.prefix = "31208005";
    r.ttl = 600;
    f.enums.update_range(f.admin, r);
    check_mappings(600);
    prov::EnumNumberFilter filter;
    filter.mapto = "npdi";
    CHECK(f.enums.get_numbers(f.admin, filter, {}, {}).items.size() == 1);
    filter.type = "sip";
    CHECK(f.enums.get_numbers(f.admin, filter, {}, {}).items.empty());

    // A node that lost the number's NAPTRs is a corrupted store, said so, never a wrong answer:
    // here the node keeps its tail (the number's row) and no RRset.
    f.env.write([&](store::WriteTxn& txn) {
        const std::string tail(zones::NodeView(*txn.get(store::Table::DnsNodes, key)).tail());
        txn.put(store::Table::DnsNodes, key, std::string("\x02\x00\x00\x00", 4) + tail);
    });
    CHECK_THROWS_AS(f.enums.get_number(f.admin, "31208005100", "e164.arpa"), store::Error);
}

TEST_CASE("a number without a node keeps its row in the table, and moves with its node",
          "[prov][enum]") {
    Fixture f;
    f.add_range("31208005");
    const std::string key = zones::name_key(zones::e164_name("31208005100", "e164.arpa"));
    // Where the row is: 'n' the node's tail, 't' the table, '-' nowhere; 'b' both (wrong).
    const auto where = [&] {
        store::ReadTxn txn(f.env);
        const auto node = txn.get(store::Table::DnsNodes, key);
        const bool in_node =
            node && !store::split_node_tail(zones::NodeView(*node).tail()).enum_number.empty();
        const bool in_table = txn.get(store::Table::EnumNumbers, key).has_value();
        return in_node && in_table ? 'b' : in_node ? 'n' : in_table ? 't' : '-';
    };
    f.add_number("31208005100", {});
    CHECK(where() == 't');
    CHECK(f.naptrs("31208005100").empty());
    f.add_number("31208005101", {{0, "sip", "sip:b@example.com", 10, 0}});
    f.add_number("31208005102", {});
    prov::EnumNumberInput n;
    n.number = "31208005100";
    n.info = "now mapped";
    n.mappings = {{0, "sip", "sip:a@example.com", 10, 0}};
    f.enums.update_number(f.admin, n);
    CHECK(where() == 'n');
    CHECK(f.enums.get_number(f.admin, "31208005100", "e164.arpa").info == "now mapped");
    // Listed in number order, the rows in nodes and in the table together.
    const auto listed = [&](prov::EnumNumberFilter filter) {
        std::string out;
        for (const auto& row : f.enums.get_numbers(f.admin, filter, {}, {}).items) {
            out += row.number.substr(8) + ":" + std::to_string(row.mappings.size()) + " ";
        }
        return out;
    };
    prov::EnumNumberFilter exact;
    exact.tld = "e164.arpa";
    CHECK(listed(exact) == "100:1 101:1 102:0 ");
    CHECK(listed({}) == "100:1 101:1 102:0 ");
    CHECK(f.enums.get_numbers(f.admin, exact, {1, 1}, {}).total == 3);
    n.mappings.clear();
    n.info = "unmapped again";
    f.enums.update_number(f.admin, n);
    CHECK(where() == 't');
    CHECK(f.enums.get_number(f.admin, "31208005100", "e164.arpa").info == "unmapped again");
    CHECK(listed(exact) == "100:0 101:1 102:0 ");
    // A range TTL change rebuilds every number's node, the table's rows included.
    prov::EnumRangeInput r;
    r.prefix = "31208005";
    r.ttl = 600;
    f.enums.update_range(f.admin, r);
    CHECK(where() == 't');
    CHECK(listed(exact) == "100:0 101:1 102:0 ");
    // Records at a number's name give it a node: its row moves there, and back when they go.
    const std::string owner102 = zones::e164_name("31208005102", "e164.arpa");
    const auto where102 = [&] {
        store::ReadTxn txn(f.env);
        const std::string k = zones::name_key(owner102);
        const auto node = txn.get(store::Table::DnsNodes, k);
        return std::make_pair(
            node && !store::split_node_tail(zones::NodeView(*node).tail()).enum_number.empty(),
            txn.get(store::Table::EnumNumbers, k).has_value());
    };
    CHECK(where102() == std::make_pair(false, true));
    f.env.write([&](store::WriteTxn& txn) {
        store::RecordRow txt;
        txt.id = txn.next_id("record");
        txt.name = owner102;
        txt.zone = "5.0.0.8.0.2.1.3.e164.arpa";
        txt.type = static_cast<std::uint16_t>(zones::RRType::TXT);
        txt.value = "\"ported\"";
        txt.rdata = zones::record_rdata(zones::RRType::TXT, txt.value, 0, txt.zone);
        zones::set_owner_records(txn, owner102, {txt});
    });
    CHECK(where102() == std::make_pair(true, false));
    CHECK(listed(exact) == "100:0 101:1 102:0 ");
    f.env.write([&](store::WriteTxn& txn) { zones::set_owner_records(txn, owner102, {}); });
    CHECK(where102() == std::make_pair(false, true));
    CHECK(f.enums.get_number(f.admin, "31208005102", "e164.arpa").number == "31208005102");
    f.enums.delete_number(f.admin, "31208005100", "e164.arpa");
    CHECK(where() == '-');
    f.enums.delete_number(f.admin, "31208005101", "e164.arpa");
    CHECK(listed(exact) == "102:0 ");
    CHECK(f.enums.get_ranges(f.admin, {}, {}, {}).items.at(0).range.used == 1);
}

TEST_CASE("ENUM validation refusals change nothing", "[prov][enum]") {
    Fixture f;
    f.add_range("31208005", 10, 12);
    f.add_number("31208005100", {{0, "sip", "sip:a@b.c", 10, 0}});
    const auto s0 = f.serial();
    auto add = [&](const std::string& number, std::vector<prov::EnumMappingInput> maps) {
        return code_of([&] { f.add_number(number, std::move(maps)); });
    };
    CHECK(add("4420700000", {}) == ErrorCode::EnumRangeNotFound);
    CHECK(add("312080051", {}) == ErrorCode::InvalidArgument);     // 9 digits < 10
    CHECK(add("3120800512345", {}) == ErrorCode::InvalidArgument); // 13 digits > 12
    std::vector<prov::EnumMappingInput> six(6, {0, "sip", "sip:a@b.c", 10, 0});
    CHECK(add("31208005101", six) == ErrorCode::InvalidArgument);
    CHECK(add("31208005101", {{0, "carrier-pigeon", "sip:a@b.c", 1, 0}}) ==
          ErrorCode::InvalidArgument);
    CHECK(add("31208005101", {{0, "mailto", "sip:a@b.c", 1, 0}}) == ErrorCode::InvalidArgument);
    CHECK(add("31208005100", {}) == ErrorCode::EnumNumberExists);
    CHECK(add("3120800510x", {}) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] { f.enums.delete_range(f.admin, "31208005", ""); }) ==
          ErrorCode::EnumRangeNotEmpty);
    CHECK(code_of([&] { f.add_range("3120800"); }) == ErrorCode::InvalidArgument);   // contains
    CHECK(code_of([&] { f.add_range("312080051"); }) == ErrorCode::InvalidArgument); // inside
    CHECK(code_of([&] { f.add_range("31208005"); }) == ErrorCode::EnumRangeExists);
    CHECK(f.serial() == s0);
    CHECK(f.enums.get_numbers(f.admin, {}, {}, {}).total == 1);
    CHECK(f.enums.get_ranges(f.admin, {}, {}, {}).total == 1);
    CHECK(f.naptrs("31208005101").empty());
}

TEST_CASE("an empty range can be deleted with its zone", "[prov][enum]") {
    Fixture f;
    f.add_range("4420");
    f.enums.delete_range(f.admin, "4420", "e164.arpa");
    CHECK(f.enums.get_ranges(f.admin, {}, {}, {}).total == 0);
    store::ReadTxn txn(f.env);
    CHECK_FALSE(txn.get(store::Table::DnsNodes, zones::name_key("0.2.4.4.e164.arpa")));
    CHECK_FALSE(txn.get(store::Table::Zones, "0.2.4.4.e164.arpa"));
}

TEST_CASE("getNumbers filters and pages in number order", "[prov][enum]") {
    Fixture f;
    f.add_range("3120");
    for (int i = 19; i >= 10; --i) {
        f.add_number("31201000" + std::to_string(i),
                     {{0, "sip", "sip:u" + std::to_string(i) + "@example.com", 10, 0}});
    }
    auto page = f.enums.get_numbers(f.admin, {}, {2, 3}, {});
    CHECK(page.total == 10);
    REQUIRE(page.items.size() == 3);
    CHECK(page.items[0].number == "3120100012");
    CHECK(page.items[2].number == "3120100014");
    prov::EnumNumberFilter filter;
    filter.mapto = "u15@example.com";
    CHECK(f.enums.get_numbers(f.admin, filter, {}, {}).total == 1);
    filter = {};
    filter.number = "312010001%";
    filter.tld = "e164.arpa";
    CHECK(f.enums.get_numbers(f.admin, filter, {}, {}).total == 10);

    // With an exact tld, the number filter's leading digits narrow the walk to their keys
    // (CDRTool's search: one number, its tld, by change date): every number it matches, and
    // no other, in a node or in the table (a number without mappings), under that tld only.
    prov::EnumRangeInput other;
    other.prefix = "3120";
    other.tld = "e164.example";
    f.enums.add_range(f.admin, other);
    prov::EnumNumberInput n;
    n.number = "3120100015";
    n.tld = "e164.example";
    f.enums.add_number(f.admin, n);
    f.add_number("312010001", {});
    f.add_number("3120100015123", {});
    const auto numbers = [&](const std::string& number, const std::string& tld) {
        prov::EnumNumberFilter q;
        q.number = number;
        q.tld = tld;
        std::string out;
        for (const auto& row : f.enums.get_numbers(f.admin, q, {}, {"changeDate", true}).items) {
            out += row.number + "@" + row.tld + " ";
        }
        return out;
    };
    CHECK(numbers("3120100015", "e164.arpa") == "3120100015@e164.arpa ");
    CHECK(numbers("3120100015", "e164.example") == "3120100015@e164.example ");
    CHECK(numbers("3120100015", "") == "3120100015@e164.example 3120100015@e164.arpa ");
    CHECK(numbers("31201000_5", "e164.arpa") == "3120100015@e164.arpa ");
    CHECK(numbers("3120100015%", "e164.arpa") == "3120100015123@e164.arpa 3120100015@e164.arpa ");
    CHECK(numbers("312010001", "e164.arpa") == "312010001@e164.arpa ");
    CHECK(numbers("3120", "e164.arpa").empty());
    CHECK(numbers("+3120%", "e164.arpa").empty());
    CHECK(numbers("4420%", "e164.arpa").empty());
    CHECK(numbers("%15", "e164.arpa") == "3120100015@e164.arpa ");
    filter.number = "312%";
    CHECK(f.enums.get_numbers(f.admin, filter, {}, {}).total == 12);
}

TEST_CASE("ENUM writes from many threads each land once, refusals still refuse",
          "[prov][enum][concurrent]") {
    // The store's one writer runs these ops in batches; the TSan build runs this test too.
    Fixture f;
    f.add_range("31208005", 11, 11);
    const auto s0 = f.serial();
    constexpr int threads = 8, per_thread = 25;
    std::atomic<int> failed{0}, shared_added{0}, shared_refused{0};
    std::atomic<bool> writing{true};
    std::thread reader([&] {
        while (writing) {
            const auto used = f.enums.get_ranges(f.admin, {}, {}, {}).items.at(0).range.used;
            failed += used <= threads * per_thread + 1 ? 0 : 1;
        }
    });
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                char number[16];
                std::snprintf(number, sizeof number, "31208005%03d", t * per_thread + i);
                try {
                    f.add_number(number, {{0, "sip", "sip:u@example.com", 10, 0}});
                } catch (const std::exception&) {
                    ++failed;
                }
            }
            try { // the same number from every thread: one adds it, the others are refused
                f.add_number("31208005999", {{0, "sip", "sip:shared@example.com", 10, 0}});
                ++shared_added;
            } catch (const prov::ApiError& e) {
                (e.code() == ErrorCode::EnumNumberExists ? shared_refused : failed) += 1;
            }
        });
    }
    for (auto& t : pool) {
        t.join();
    }
    writing = false;
    reader.join();
    CHECK(failed == 0);
    CHECK(shared_added == 1);
    CHECK(shared_refused == threads - 1);
    CHECK(f.enums.get_ranges(f.admin, {}, {}, {}).items.at(0).range.used ==
          threads * per_thread + 1);
    CHECK(f.naptrs("31208005000").size() == 1);
    CHECK(f.naptrs("31208005199").size() == 1);
    CHECK(f.naptrs("31208005999").size() == 1);
    CHECK(f.serial() > s0);
}

TEST_CASE("getNumbers shows a customer or reseller its own numbers only, walking its ranges",
          "[prov][enum]") {
    // A number's tenancy is its range's: listings for one tenant (a customer's or reseller's
    // login, or the administrator's customer or reseller filter) walk that tenant's ranges
    // only, and must still find every number of theirs and none of another's.
    Fixture f;
    prov::CustomerService customers{f.env};
    const auto add_customer = [&](std::int64_t id, std::int64_t reseller) {
        return test::add_customer(customers, f.admin, id, reseller);
    };
    const auto reseller = add_customer(50, 50);
    const auto alice = add_customer(51, 50);
    const auto bob = add_customer(60, 60);
    const auto add_range = [&](const std::string& prefix, const std::string& tld,
                               std::int64_t customer, std::int64_t of) {
        prov::EnumRangeInput r;
        r.prefix = prefix;
        r.tld = tld;
        r.customer = customer;
        r.reseller = of;
        f.enums.add_range(f.admin, r);
        for (const char* tail : {"01", "02"}) {
            prov::EnumNumberInput n;
            n.number = prefix + tail;
            n.tld = tld;
            if (std::string(tail) == "01") { // one number in its node, one in the table
                n.mappings = {{0, "sip", "sip:" + prefix + "@example.com", 10, 0}};
            }
            f.enums.add_number(f.admin, n);
        }
    };
    add_range("3120", "e164.arpa", 51, 50);
    add_range("3130", "e164.arpa", 51, 50);
    add_range("3121", "e164.arpa", 60, 60);
    add_range("4420", "e164.arpa", 60, 60);
    add_range("3121", "e164.example", 51, 50);
    add_range("3122", "e164.arpa", 0, 0); // the administrator's own
    // A tld below another's range: the zones nest, and each number is listed once.
    add_range("9", "e164.arpa", 51, 50);
    add_range("23", "9.e164.arpa", 51, 50);
    const auto listed = [&](const prov::Caller& caller, prov::EnumNumberFilter filter) {
        std::string out;
        for (const auto& n : f.enums.get_numbers(caller, filter, {}, {}).items) {
            out += n.number + (n.tld == "e164.arpa" ? "" : "@" + n.tld) + " ";
        }
        return out;
    };
    const auto as_alice = prov::caller_for(alice, "c51");
    const auto as_bob = prov::caller_for(bob, "c60");
    const auto as_reseller = prov::caller_for(reseller, "c50");
    prov::EnumNumberFilter any;
    const std::string alices = "2301@9.e164.arpa 2302@9.e164.arpa 312001 312002 "
                               "312101@e164.example 312102@e164.example 313001 313002 901 902 ";
    CHECK(listed(as_alice, any) == alices);
    CHECK(listed(as_reseller, any) == alices);
    CHECK(listed(as_bob, any) == "312101 312102 442001 442002 ");
    CHECK(listed(f.admin, any) == "2301@9.e164.arpa 2302@9.e164.arpa 312001 312002 312101 "
                                  "312101@e164.example 312102 312102@e164.example 312201 "
                                  "312202 313001 313002 442001 442002 901 902 ");
    prov::EnumNumberFilter exact;
    exact.tld = "e164.arpa";
    CHECK(listed(as_alice, exact) == "312001 312002 313001 313002 901 902 ");
    exact.number = "3121%";
    CHECK(listed(as_alice, exact).empty());
    CHECK(listed(as_bob, exact) == "312101 312102 ");
    exact.number = "312101";
    CHECK(listed(as_bob, exact) == "312101 ");
    exact.tld = "e164.example";
    CHECK(listed(as_alice, exact) == "312101@e164.example ");
    CHECK(listed(as_bob, exact).empty());
    prov::EnumNumberFilter of_customer;
    of_customer.customer = 51;
    CHECK(listed(f.admin, of_customer) == alices);
    of_customer.customer = 0;
    of_customer.reseller = 60;
    CHECK(listed(f.admin, of_customer) == "312101 312102 442001 442002 ");
    of_customer.number = "313%";
    CHECK(listed(f.admin, of_customer).empty());
    of_customer.reseller = 50;
    CHECK(listed(f.admin, of_customer) == "313001 313002 ");
    CHECK(f.enums.get_numbers(as_alice, any, {1, 2}, {}).total == 10);
}
