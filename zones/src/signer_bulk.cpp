// Bulk signing in bounded slices (signer.hpp BulkJob): a whole-zone pass (first signing, a
// forced re-sign, unsigning) of a zone larger than one slice is queued in Meta
// `dnssec_signing:<zone>` and done by bulk_sign_step, one write transaction per slice of owners
// in key order, its progress stored with it so a restart resumes it (docs/decisions.md "DNSSEC
// bulk signing").
#include "signer_internal.hpp"
#include "zones/compile.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <ctime>
#include <limits>

namespace sb::zones {

namespace {

constexpr std::uint8_t job_format = 2; // 1: before the Rechain fields
constexpr std::string_view job_prefix = "dnssec_signing:";

std::string encode_job(const BulkJob& job) {
    store::Writer w;
    w.u8(job_format);
    w.u8(static_cast<std::uint8_t>(job.target));
    w.str(job.last);
    w.u8(job.nsec3 ? 1 : 0);
    w.u8(job.switched ? 1 : 0);
    return std::move(w.bytes());
}

BulkJob decode_job(std::string_view zone, std::string_view v) {
    store::Reader r(v);
    const std::uint8_t format = r.u8();
    if (format != job_format && format != 1) {
        throw store::Error::corrupted("DNSSEC signing job of an unknown format");
    }
    BulkJob job;
    job.zone = std::string(zone);
    const std::uint8_t target = r.u8();
    if (target < static_cast<std::uint8_t>(BulkTarget::Sign) ||
        target > static_cast<std::uint8_t>(BulkTarget::Rechain)) {
        throw store::Error::corrupted("DNSSEC signing job with an unknown target");
    }
    job.target = static_cast<BulkTarget>(target);
    job.last = std::string(r.str());
    if (format == job_format) {
        job.nsec3 = r.u8() != 0;
        job.switched = r.u8() != 0;
    }
    return job;
}

template <class Txn>
std::optional<BulkJob> read_job(const Txn& txn, std::string_view zone) {
    const auto v = txn.get(store::Table::Meta, detail::job_marker(zone));
    return v ? std::optional<BulkJob>(decode_job(zone, *v)) : std::nullopt;
}

// The first pending job (zones in Meta key order) of a zone not in `skip`, if any.
template <class Txn>
std::optional<BulkJob> first_job(const Txn& txn, const ZoneSet& skip) {
    store::Cursor c = txn.cursor(store::Table::Meta);
    for (bool ok = c.seek(job_prefix); ok && c.key().starts_with(job_prefix); ok = c.next()) {
        const std::string_view zone = c.key().substr(job_prefix.size());
        if (!skip.contains(zone)) {
            return detail::for_zone(zone, [&] { return decode_job(zone, c.value()); });
        }
    }
    return std::nullopt;
}

void bump_serial(store::WriteTxn& txn, std::string_view zone) {
    if (auto row = store::get_zone(txn, zone)) {
        touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
    }
}

} // namespace

namespace detail {

bool first_signing_pending(const store::WriteTxn& txn, std::string_view zone) {
    const auto job = read_job(txn, zone);
    return job && job->target == BulkTarget::Sign;
}

bool zone_pass(store::WriteTxn& txn, std::string_view zone, BulkTarget target) {
    const auto pending = read_job(txn, zone);
    if (target == BulkTarget::Resign && pending) {
        return true; // the pending pass rebuilds every owner anyway
    }
    const std::string zkey = name_key(zone);
    std::size_t owners = 0;
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        for (bool ok = c.seek(zkey); ok && c.key().starts_with(zkey) && owners <= bulk_slice_nodes;
             ok = c.next()) {
            ++owners;
        }
    }
    if (owners <= bulk_slice_nodes) {
        // Small enough for one transaction: done here, as every per-change write is.
        txn.del(store::Table::Meta, job_marker(zone));
        rebuild_zone_owners(txn, zone);
        return false;
    }
    txn.put(store::Table::Meta, job_marker(zone), encode_job({std::string(zone), target, {}}));
    return true;
}

} // namespace detail

std::optional<BulkJob> signing_job(const store::ReadTxn& txn, std::string_view zone) {
    return read_job(txn, zone);
}

std::vector<BulkJob> signing_jobs(const store::ReadTxn& txn) {
    std::vector<BulkJob> out;
    store::Cursor c = txn.cursor(store::Table::Meta);
    for (bool ok = c.seek(job_prefix); ok && c.key().starts_with(job_prefix); ok = c.next()) {
        out.push_back(decode_job(c.key().substr(job_prefix.size()), c.value()));
    }
    return out;
}

void resign_zone(store::WriteTxn& txn, std::string_view zone) {
    if (!txn.get(store::Table::Meta, detail::signed_marker(zone))) {
        throw InvalidValue("zone", std::string(zone) +
                                       " is not signed: [dnssec] zones in the configuration "
                                       "does not name it");
    }
    if (!detail::zone_pass(txn, zone, BulkTarget::Resign)) {
        bump_serial(txn, zone);
    }
}

namespace {

// One slice of `job`: at most `max_nodes` owners after its last one rebuilt (or, for the
// hashed owners a chain switch leaves behind, removed), its progress stored, the serial bumped.
BulkStep step_job(store::WriteTxn& txn, const BulkJob& job, std::size_t max_nodes) {
    BulkStep out;
    out.any = true;
    out.zone = job.zone;
    out.target = job.target;
    const bool is_signed = txn.get(store::Table::Meta, detail::signed_marker(job.zone)).has_value();
    if (!store::get_zone(txn, job.zone) || is_signed == (job.target == BulkTarget::Unsign)) {
        // The zone went, or changed state again since (a newer job would have replaced this).
        txn.del(store::Table::Meta, detail::job_marker(job.zone));
        out.finished = true;
        return out;
    }
    const std::string zkey = name_key(job.zone);
    // A chain switch's build skips the hashed owners (the chain writes sign them); its clean-up
    // towards NSEC removes them (rebuilding each would rebuild its NSEC predecessor for nothing).
    const bool rechain = job.target == BulkTarget::Rechain;
    const bool drop_hashed = rechain && job.switched && !job.nsec3;
    std::vector<std::pair<std::string, bool>> keys; // the slice: owner key, a hashed owner
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        const std::string& from = job.last.empty() ? zkey : job.last;
        bool ok = c.seek(from);
        if (ok && c.key() == from) {
            ok = c.next();
        }
        for (; ok && c.key().starts_with(zkey) && keys.size() < max_nodes; ok = c.next()) {
            keys.emplace_back(c.key(), (NodeView(c.value()).flags() & NodeNsec3Only) != 0);
        }
        out.finished = !ok || !c.key().starts_with(zkey);
    }
    for (const auto& [key, hashed] : keys) {
        if (hashed && drop_hashed) {
            const auto v = txn.get(store::Table::DnsNodes, key);
            detail::store_node(txn, key_to_name(key), key, std::string(*v), NodeBuilder{},
                               std::nullopt);
        } else if (!(hashed && rechain)) {
            rebuild_node(txn, key_to_name(key));
        }
    }
    out.nodes = keys.size();
    if (out.finished && rechain && !job.switched) {
        // The new chain is whole: the apex switches to it (rebuilt below, by bump_serial), and
        // the next slices remove the old chain, from the first owner again.
        BulkJob next = job;
        next.last.clear();
        next.switched = true;
        txn.put(store::Table::Meta, detail::job_marker(job.zone), encode_job(next));
        out.finished = false;
        out.switched = true;
    } else if (out.finished) {
        // The owners with records and no node (whose RRs a signed zone does not serve) are
        // not in the slices' scan of the nodes.
        detail::rebuild_bare_owners(txn, zkey);
        // Removed before the apex is rebuilt: a first signing's keys are published now.
        txn.del(store::Table::Meta, detail::job_marker(job.zone));
        if (job.target != BulkTarget::Unsign) {
            detail::pass_finished(txn, job.zone);
        }
    } else {
        BulkJob next = job;
        next.last = keys.back().first;
        txn.put(store::Table::Meta, detail::job_marker(job.zone), encode_job(next));
    }
    // Each slice that changed served data takes the next serial (and the apex is rebuilt):
    // secondaries follow slice by slice by IXFR, each state they see as consistent as ours.
    bump_serial(txn, job.zone);
    return out;
}

} // namespace

BulkStep bulk_sign_step(store::WriteTxn& txn, std::size_t max_nodes, const ZoneSet& skip) {
    const auto job = first_job(txn, skip);
    if (!job) {
        return {};
    }
    return detail::for_zone(job->zone, [&] { return step_job(txn, *job, max_nodes); });
}

namespace detail {

bool job_pending(const store::WriteTxn& txn, std::string_view zone) {
    return txn.get(store::Table::Meta, job_marker(zone)).has_value();
}

void apply_chain_job(const store::WriteTxn& txn, SignContext& ctx) {
    const auto job = read_job(txn, ctx.zone);
    if (!job || job->target != BulkTarget::Rechain) {
        return;
    }
    // Answers take their proofs from the chain the apex names (NSEC3PARAM, else an apex NSEC:
    // open_proof_zone), so until the apex switches every proof comes from the old chain, kept
    // whole; the new one is built beside it (RFC 5155 §10.4, §10.5).
    ctx.policy.nsec3 = job->switched ? job->nsec3 : !job->nsec3;
    ctx.other_chain = !job->switched;
}

void chain_switch(store::WriteTxn& txn, std::string_view zone, bool old_nsec3, bool nsec3) {
    auto job = read_job(txn, zone);
    if (job && (job->target == BulkTarget::Sign || job->target == BulkTarget::Unsign)) {
        // A first signing (the zone is not published signed yet) starts over in the new chain:
        // its rebuilds replace the old chain's records; an unsigning removes both.
        job->last.clear();
        txn.put(store::Table::Meta, job_marker(zone), encode_job(*job));
        return;
    }
    bool serving = old_nsec3;
    if (job && job->target == BulkTarget::Rechain) {
        serving = job->switched ? job->nsec3 : !job->nsec3;
    }
    BulkJob next{std::string(zone), BulkTarget::Rechain, {}, nsec3, serving == nsec3};
    if (serving == nsec3 && !(job && job->target == BulkTarget::Rechain)) {
        return; // nothing to switch (a pending Resign job stays)
    }
    // A pending Resign is replaced: the switch rebuilds every owner too.
    txn.put(store::Table::Meta, job_marker(zone), encode_job(next));
    std::size_t owners = 0;
    const std::string zkey = name_key(zone);
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        for (bool ok = c.seek(zkey); ok && c.key().starts_with(zkey) && owners <= bulk_slice_nodes;
             ok = c.next()) {
            ++owners;
        }
    }
    if (owners <= bulk_slice_nodes) {
        // Small enough for this transaction: both passes run here, as every per-change write is.
        for (int passes = 0; passes < 4; ++passes) {
            const auto pending = read_job(txn, zone);
            if (!pending) {
                return;
            }
            step_job(txn, *pending, std::numeric_limits<std::size_t>::max());
        }
        return;
    }
    bump_serial(txn, zone); // the apex rebuilt in the job's state
}

} // namespace detail

} // namespace sb::zones
