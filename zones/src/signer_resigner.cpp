// The background re-signer's work (signer.hpp ResignerWork): bulk job slices first, then the
// refresh pass, one write transaction per step, a zone whose step fails backed off alone so
// one broken zone never holds up the signatures of the others (docs/decisions.md "A failing
// zone does not stop the re-signer").
#include "zones/signer.hpp"

#include <algorithm>

namespace sb::zones {

ResignerWork::ResignerWork(store::Env& env, Limits limits)
    : env_(env)
    , limits_(limits) {}

ZoneSet ResignerWork::waiting(Backoffs& backoffs, Clock::time_point now) {
    ZoneSet out;
    for (const auto& [zone, b] : backoffs) {
        if (now < b.until) {
            out.insert(zone);
        }
    }
    return out;
}

std::chrono::seconds ResignerWork::back_off(Backoffs& backoffs, const std::string& zone,
                                            Clock::time_point now) {
    Backoff& b = backoffs[zone];
    b.delay = b.delay.count() == 0 ? limits_.backoff : std::min(b.delay * 2, limits_.backoff_cap);
    b.until = now + b.delay;
    return b.delay;
}

ResignerWork::Step ResignerWork::failed(Backoffs& backoffs, const ZoneSigningError& e,
                                        Clock::time_point now) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    Step out;
    out.did = Did::Failed;
    out.zone = e.zone();
    out.error = e.what();
    out.retry_in = back_off(backoffs, e.zone(), now);
    out.more = true; // the rest goes on at once
    return out;
}

ResignerWork::Step ResignerWork::step(Clock::time_point now) {
    Step out;
    // The job first: a zone entering or leaving the policy, `dnssec sign`, a chain switch, a
    // rollover's re-sign; one slice per transaction, so SOAP writes interleave.
    try {
        const ZoneSet skip = waiting(jobs_, now);
        out.job = env_.write(
            [&](store::WriteTxn& txn) { return bulk_sign_step(txn, bulk_slice_nodes, skip); });
        if (out.job.any) {
            out.did = Did::Job;
            out.more = true;
            jobs_.erase(out.job.zone); // a success ends its backoff
            return out;
        }
    } catch (const ZoneSigningError& e) {
        return failed(jobs_, e, now); // the other zones' jobs, and the refresh, go on at once
    }
    try {
        if (from_.empty()) {
            pass_start_ = now;
        }
        const ZoneSet skip = waiting(refresh_, now);
        out.slice = env_.write([&](store::WriteTxn& txn) {
            return resign_slice(txn, from_, limits_.max_scan, limits_.max_resign, skip);
        });
        out.did = Did::Refresh;
        from_ = out.slice.next;
        out.more = !from_.empty();
        // A pass that began after a zone's wait was over and did not fail on it has refreshed
        // it: its backoff is forgotten (the next failure waits `backoff` again).
        if (from_.empty()) {
            std::erase_if(refresh_, [&](const auto& b) { return b.second.until <= pass_start_; });
        }
    } catch (const ZoneSigningError& e) {
        return failed(refresh_, e, now); // the same slice again, without that zone
    }
    return out;
}

} // namespace sb::zones
