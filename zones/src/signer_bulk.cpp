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

namespace sb::zones {

namespace {

constexpr std::uint8_t job_format = 1;
constexpr std::string_view job_prefix = "dnssec_signing:";

std::string encode_job(const BulkJob& job) {
    store::Writer w;
    w.u8(job_format);
    w.u8(static_cast<std::uint8_t>(job.target));
    w.str(job.last);
    return std::move(w.bytes());
}

BulkJob decode_job(std::string_view zone, std::string_view v) {
    store::Reader r(v);
    if (r.u8() != job_format) {
        throw store::Error::corrupted("DNSSEC signing job of an unknown format");
    }
    BulkJob job;
    job.zone = std::string(zone);
    const std::uint8_t target = r.u8();
    if (target < static_cast<std::uint8_t>(BulkTarget::Sign) ||
        target > static_cast<std::uint8_t>(BulkTarget::Unsign)) {
        throw store::Error::corrupted("DNSSEC signing job with an unknown target");
    }
    job.target = static_cast<BulkTarget>(target);
    job.last = std::string(r.str());
    return job;
}

template <class Txn>
std::optional<BulkJob> read_job(const Txn& txn, std::string_view zone) {
    const auto v = txn.get(store::Table::Meta, detail::job_marker(zone));
    return v ? std::optional<BulkJob>(decode_job(zone, *v)) : std::nullopt;
}

// The first pending job (zones in Meta key order), if any.
template <class Txn>
std::optional<BulkJob> first_job(const Txn& txn) {
    store::Cursor c = txn.cursor(store::Table::Meta);
    if (c.seek(job_prefix) && c.key().starts_with(job_prefix)) {
        return decode_job(c.key().substr(job_prefix.size()), c.value());
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

BulkStep bulk_sign_step(store::WriteTxn& txn, std::size_t max_nodes) {
    BulkStep out;
    const auto job = first_job(txn);
    if (!job) {
        return out;
    }
    out.any = true;
    out.zone = job->zone;
    out.target = job->target;
    const bool is_signed =
        txn.get(store::Table::Meta, detail::signed_marker(job->zone)).has_value();
    if (!store::get_zone(txn, job->zone) || is_signed == (job->target == BulkTarget::Unsign)) {
        // The zone went, or changed state again since (a newer job would have replaced this).
        txn.del(store::Table::Meta, detail::job_marker(job->zone));
        out.finished = true;
        return out;
    }
    const std::string zkey = name_key(job->zone);
    std::vector<std::string> keys; // the slice: owners below the apex after the last one done
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        const std::string& from = job->last.empty() ? zkey : job->last;
        bool ok = c.seek(from);
        if (ok && c.key() == from) {
            ok = c.next();
        }
        for (; ok && c.key().starts_with(zkey) && keys.size() < max_nodes; ok = c.next()) {
            keys.emplace_back(c.key());
        }
        out.finished = !ok || !c.key().starts_with(zkey);
    }
    for (const auto& key : keys) {
        rebuild_node(txn, key_to_name(key));
    }
    out.nodes = keys.size();
    if (out.finished) {
        // Removed before the apex is rebuilt: a first signing's keys are published now.
        txn.del(store::Table::Meta, detail::job_marker(job->zone));
    } else {
        BulkJob next = *job;
        next.last = keys.back();
        txn.put(store::Table::Meta, detail::job_marker(job->zone), encode_job(next));
    }
    // Each slice that changed served data takes the next serial (and the apex is rebuilt):
    // secondaries follow slice by slice by IXFR, each state they see as consistent as ours.
    bump_serial(txn, job->zone);
    return out;
}

} // namespace sb::zones
