// Zones out of the store: a zone's RRs in transfer order from its nodes (ZoneReader, which
// AXFR streams from), collected (zone_rrs) or as a master file (export_zone).
#include "zones/compile.hpp"
#include "zones/node.hpp"
#include "zones/zonefile.hpp"

#include <sstream>

namespace sb::zones {

std::string key_to_name(std::string_view key) {
    std::string out;
    std::size_t end = key.size();
    while (end > 0) {
        std::size_t start = end - 1;
        while (start > 0 && key[start - 1] != '\0') {
            --start;
        }
        if (!out.empty()) {
            out.push_back('.');
        }
        out.append(key.substr(start, end - 1 - start));
        end = start;
    }
    return out;
}

namespace {

// Appends the RRs of the stored node `value` (owner `key`) to `out`: the SOA alone, or
// every RRset but the SOA.
void node_rrs(std::string_view key, std::string_view value, bool soa_only,
              std::vector<ZoneRr>& out) {
    const NodeView node(value);
    if (!node.valid()) {
        throw store::Error::corrupted("malformed node " + key_to_name(key));
    }
    const std::string owner = key_to_name(key);
    for (std::uint16_t i = 0; i < node.rrset_count(); ++i) {
        RrsetView rrset;
        node.at(i, rrset);
        if ((rrset.type() == RRType::SOA) != soa_only) {
            continue;
        }
        std::size_t pos = 0;
        RrView rr{};
        while (rrset.next_rr(pos, rr)) {
            out.push_back(ZoneRr{owner, rrset.type(), rr.ttl, std::string(rr.rdata)});
        }
    }
}

} // namespace

template <class Txn>
ZoneReader<Txn>::ZoneReader(const Txn& txn, std::string_view zone)
    : txn_(txn)
    , zone_(zone)
    , zkey_(name_key(zone))
    , cursor_(txn.cursor(store::Table::DnsNodes)) {
    const auto apex = txn_.get(store::Table::DnsNodes, zkey_);
    if (!apex || !(NodeView(*apex).flags() & NodeApex)) {
        return;
    }
    node_rrs(zkey_, *apex, true, batch_); // the SOA first
    stage_ = Stage::Nodes;
    ok_ = cursor_.seek(zkey_);
}

template <class Txn>
bool ZoneReader<Txn>::next(ZoneRr& rr) {
    while (pos_ == batch_.size()) {
        batch_.clear();
        pos_ = 0;
        if (stage_ == Stage::Done) {
            return false;
        }
        fill();
    }
    rr = std::move(batch_[pos_++]);
    return true;
}

template <class Txn>
void ZoneReader<Txn>::fill() {
    if (!ok_ || !cursor_.key().starts_with(zkey_)) {
        stage_ = Stage::Done;
        return;
    }
    const std::string_view key = cursor_.key();
    if (zkey_.empty() && key == root_stored_key) {
        node_rrs(zkey_, cursor_.value(), false, batch_); // the root apex (its SOA went first)
        ok_ = cursor_.next();
        return;
    }
    if (key.size() > zkey_.size() && (NodeView(cursor_.value()).flags() & NodeApex)) {
        // A child zone we also serve: its names are not in this zone, but this zone's
        // delegation records at the cut are, in the apex node's parent side (node.hpp).
        const std::string_view side = NodeView(cursor_.value()).parent_side();
        if (!side.empty()) {
            node_rrs(key, side, false, batch_);
        }
        std::string after(key);
        after.back() = '\1';
        ok_ = cursor_.seek(after);
        return;
    }
    node_rrs(key, cursor_.value(), false, batch_);
    ok_ = cursor_.next();
}

template class ZoneReader<store::ReadTxn>;
template class ZoneReader<store::WriteTxn>;

namespace {

template <class Txn>
std::vector<ZoneRr> rrs_of(const Txn& txn, std::string_view zone) {
    std::vector<ZoneRr> out;
    ZoneReader<Txn> reader(txn, zone);
    for (ZoneRr rr; reader.next(rr);) {
        out.push_back(std::move(rr));
    }
    return out;
}

} // namespace

std::vector<ZoneRr> zone_rrs(const store::ReadTxn& txn, std::string_view zone) {
    return rrs_of(txn, zone);
}

std::vector<ZoneRr> zone_rrs(const store::WriteTxn& txn, std::string_view zone) {
    return rrs_of(txn, zone);
}

std::string export_zone(const store::ReadTxn& txn, std::string_view zone) {
    const auto rrs = zone_rrs(txn, zone);
    if (rrs.empty()) {
        throw InvalidValue("zone", std::string(zone) + " is not a zone we serve");
    }
    std::ostringstream out;
    out << "$ORIGIN " << zone << ".\n";
    for (const auto& rr : rrs) {
        out << rr.owner << ".\t" << rr.ttl << "\tIN\t" << to_string(rr.type) << "\t"
            << rdata_to_text(rr.type, rr.rdata) << "\n";
    }
    return out.str();
}

} // namespace sb::zones
