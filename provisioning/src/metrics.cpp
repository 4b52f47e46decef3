#include "metrics.hpp"

#include "log/metrics_text.hpp"

#include <cstdio>

namespace sb::prov {

namespace {

void number(std::string& out, double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", value);
    out += buf;
}

} // namespace

void Metrics::operation_done(std::string_view operation, int code,
                             std::chrono::nanoseconds latency) {
    const double seconds = std::chrono::duration<double>(latency).count();
    std::size_t bucket = 0;
    while (bucket < bounds_.size() && seconds > bounds_[bucket]) {
        ++bucket;
    }
    std::lock_guard lock(mutex_);
    auto it = operations_.find(operation);
    if (it == operations_.end()) {
        it = operations_.emplace(std::string(operation), Operation{}).first;
    }
    ++it->second.calls;
    if (code != 0) {
        ++it->second.faults[code];
    }
    ++buckets_[bucket];
    latency_sum_ += seconds;
    ++latency_count_;
}

void Metrics::write(std::string& out, unsigned open_connections) const {
    std::lock_guard lock(mutex_);
    log::metric_family(out, "switchboard_soap_calls_total", "counter",
                       "SOAP operations served, by Port.operation.");
    for (const auto& [name, op] : operations_) {
        out += "switchboard_soap_calls_total{operation=\"" + name + "\"} " +
               std::to_string(op.calls) + "\n";
    }
    log::metric_family(out, "switchboard_soap_faults_total", "counter",
                       "SOAP operations answered with a fault, by Port.operation and error code.");
    for (const auto& [name, op] : operations_) {
        for (const auto& [code, n] : op.faults) {
            out += "switchboard_soap_faults_total{operation=\"" + name + "\",code=\"" +
                   std::to_string(code) + "\"} " + std::to_string(n) + "\n";
        }
    }
    log::metric_family(out, "switchboard_soap_request_duration_seconds", "histogram",
                       "Time from a complete request to its response, per SOAP operation.");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        cumulative += buckets_[i];
        out += "switchboard_soap_request_duration_seconds_bucket{le=\"";
        if (i < bounds_.size()) {
            number(out, bounds_[i]);
        } else {
            out += "+Inf";
        }
        out += "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "switchboard_soap_request_duration_seconds_sum ";
    number(out, latency_sum_);
    out += "\nswitchboard_soap_request_duration_seconds_count " + std::to_string(latency_count_) +
           "\n";
    log::metric_family(out, "switchboard_soap_failed_logins_total", "counter",
                       "Requests refused because their credentials were wrong.");
    out += "switchboard_soap_failed_logins_total " +
           std::to_string(failed_logins_.load(std::memory_order_relaxed)) + "\n";
    log::metric_family(out, "switchboard_soap_refused_connections_total", "counter",
                       "Connections closed at once for the connection limits.");
    out += "switchboard_soap_refused_connections_total " +
           std::to_string(refused_.load(std::memory_order_relaxed)) + "\n";
    log::metric_family(out, "switchboard_soap_open_connections", "gauge",
                       "Client connections open now.");
    out += "switchboard_soap_open_connections " + std::to_string(open_connections) + "\n";
}

} // namespace sb::prov
