// The Prometheus endpoint ([metrics] listen): plain HTTP, GET /metrics, text exposition format
// 0.0.4. Each scrape calls the collectors in order; each appends complete metric families.
#pragma once

#include "config.hpp"

#include <functional>
#include <memory>
#include <string>

namespace sb::store {
class Env;
}

namespace sb::app {

using Collector = std::function<void(std::string&)>;

// Store figures: file size, map size and use, last transaction id, age of the last commit.
void write_store_metrics(const store::Env& env, std::string& out);

// Process figures under Prometheus's standard names: resident memory, CPU seconds, open and
// maximum file descriptors, start time.
void write_process_metrics(std::string& out);

// Binds `where` in the constructor (throws saying what failed); serves on its own thread from
// then on; the destructor stops it. One request at a time: scrapes are rare and small.
class MetricsServer {
public:
    MetricsServer(const Endpoint& where, std::vector<Collector> collectors);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    unsigned short port() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace sb::app
