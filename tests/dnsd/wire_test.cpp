// Name compression (dnsd/src/wire.hpp) against the rule written out plainly: RFC 1035 §4.1.4
// "a domain name in a message can be represented as ... a sequence of labels ending with a
// pointer", and the compressor takes the longest suffix of the name that is already in the
// packet at a label it recorded (the one recorded first among equals).
#include "buffer.hpp"
#include "wire.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using sb::dnsd::Compressor;
using sb::dnsd::Writer;

// The packet name at `off`, lower case, in wire form without pointers.
std::string expand(const std::uint8_t* packet, std::size_t off) {
    std::string out;
    for (int hops = 0; hops < 128; ++hops) {
        const std::uint8_t len = packet[off];
        if ((len & 0xC0) == 0xC0) {
            off = (std::size_t{len & 0x3Fu} << 8) | packet[off + 1];
            continue;
        }
        out += static_cast<char>(len);
        if (len == 0) {
            return out;
        }
        for (std::size_t i = 1; i <= len; ++i) {
            out += static_cast<char>(std::tolower(packet[off + i]));
        }
        off += 1 + std::size_t{len};
    }
    return "loop";
}

std::string lower(const std::string& wire) {
    std::string out = wire;
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// The reference: every label offset written so far, searched for the longest suffix.
struct Reference {
    std::vector<std::size_t> offsets;

    void add_name(const std::uint8_t* packet, std::size_t off) {
        while (packet[off] != 0 && (packet[off] & 0xC0) == 0) {
            offsets.push_back(off);
            off += 1 + std::size_t{packet[off]};
        }
    }

    void write(std::vector<std::uint8_t>& packet, const std::string& name) {
        std::vector<std::size_t> starts;
        for (std::size_t pos = 0; name[pos] != 0; pos += 1 + std::size_t{std::uint8_t(name[pos])}) {
            starts.push_back(pos);
        }
        for (std::size_t k = 0; k < starts.size(); ++k) {
            const std::string suffix = lower(name.substr(starts[k]));
            for (const std::size_t off : offsets) {
                if (expand(packet.data(), off) == suffix) {
                    emit(packet, name, starts, k);
                    packet.push_back(static_cast<std::uint8_t>(0xC0 | off >> 8));
                    packet.push_back(static_cast<std::uint8_t>(off));
                    return;
                }
            }
        }
        emit(packet, name, starts, starts.size());
        packet.push_back(0);
    }

    void emit(std::vector<std::uint8_t>& packet, const std::string& name,
              const std::vector<std::size_t>& starts, std::size_t count) {
        for (std::size_t j = 0; j < count; ++j) {
            offsets.push_back(packet.size());
            const std::size_t len = std::uint8_t(name[starts[j]]);
            packet.insert(packet.end(), name.begin() + long(starts[j]),
                          name.begin() + long(starts[j] + 1 + len));
        }
    }
};

std::string random_name(std::mt19937& rng) {
    // Few, short labels and mixed case: many names share suffixes, digits are one byte long
    // like ENUM labels, and case must not matter.
    static const std::array<const char*, 9> labels = {"1",   "2",   "9",       "e164",   "arpa",
                                                      "ns1", "NS1", "example", "Example"};
    std::uniform_int_distribution<int> count(0, 6);
    std::uniform_int_distribution<std::size_t> pick(0, labels.size() - 1);
    std::string wire;
    for (int n = count(rng); n > 0; --n) {
        const std::string label = labels[pick(rng)];
        wire += static_cast<char>(label.size());
        wire += label;
    }
    wire += '\0';
    return wire;
}

} // namespace

TEST_CASE("compression writes what the longest-suffix rule writes, byte for byte") {
    std::mt19937 rng(18);
    for (int message = 0; message < 2000; ++message) {
        std::array<std::uint8_t, 4096> buf{};
        Writer w(buf, buf.size());
        Compressor c;
        Reference ref;
        std::vector<std::uint8_t> expected(12, 0);
        w.bytes(expected.data(), 12);
        // A question, recorded as answer() records it.
        const std::string question = random_name(rng);
        w.bytes(question.data(), question.size());
        expected.insert(expected.end(), question.begin(), question.end());
        c.add_name(w.data(), 12);
        ref.add_name(expected.data(), 12);
        std::uniform_int_distribution<int> names(1, 12);
        for (int n = names(rng); n > 0; --n) {
            // The question's own name a third of the time, as an answer's owner is.
            const std::string name = rng() % 3 == 0 ? question : random_name(rng);
            const std::size_t at = w.position();
            c.write(w, reinterpret_cast<const std::uint8_t*>(name.data()), name.size());
            ref.write(expected, name);
            REQUIRE(w.ok());
            REQUIRE(std::vector<std::uint8_t>(buf.begin(), buf.begin() + long(w.position())) ==
                    expected);
            REQUIRE(expand(buf.data(), at) == lower(name));
            if (rng() % 4 == 0) {
                // A set that did not fit: the writer and compressor roll back together.
                w.rollback(at);
                c.forget_from(at);
                expected.resize(at);
                std::erase_if(ref.offsets, [at](std::size_t off) { return off >= at; });
            }
        }
    }
}

TEST_CASE("a name recorded after the fact keeps the depth its pointer gives it") {
    // The transfer writer records its previous owner, which ends in a pointer to the question.
    std::array<std::uint8_t, 512> buf{};
    Writer w(buf, buf.size());
    const std::uint8_t header[12] = {};
    w.bytes(header, sizeof header);
    const std::string zone("\7example\3com\0", 13);
    w.bytes(zone.data(), zone.size());
    const std::size_t owner_at = w.position();
    const std::uint8_t owner[] = {3, 'w', 'w', 'w', 0xC0, 12}; // www.example.com, compressed
    w.bytes(owner, sizeof owner);

    Compressor c;
    c.add_name(w.data(), 12);
    c.add_name(w.data(), owner_at);
    const std::string name("\3www\7example\3com\0", 17);
    const std::size_t at = w.position();
    c.write(w, reinterpret_cast<const std::uint8_t*>(name.data()), name.size());
    // The whole name is at owner_at: one pointer, not "www" and a pointer to the zone.
    REQUIRE(w.position() - at == 2);
    REQUIRE(buf[at] == (0xC0 | owner_at >> 8));
    REQUIRE(buf[at + 1] == (owner_at & 0xFF));

    // After forget_from, the rolled-back labels are no longer offered.
    w.rollback(at);
    c.forget_from(owner_at);
    c.write(w, reinterpret_cast<const std::uint8_t*>(name.data()), name.size());
    REQUIRE(w.position() - at == 6); // "www" then a pointer to the zone at 12
    REQUIRE(buf[at + 4] == 0xC0);
    REQUIRE(buf[at + 5] == 12);
}
