#include "metrics.hpp"

#include "asio.hpp"
#include "log/log.hpp"
#include "log/metrics_text.hpp"
#include "store/store.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sb::app {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

void sample(std::string& out, const char* name, double value) {
    std::ostringstream s;
    s.precision(15);
    s << name << ' ' << value << '\n';
    out += s.str();
}

void gauge(std::string& out, const char* name, const char* help, double value) {
    log::metric_family(out, name, "gauge", help);
    sample(out, name, value);
}

// Seconds since boot → unix time, for /proc/self/stat's starttime.
double boot_time() {
    std::ifstream in("/proc/stat");
    for (std::string word; in >> word;) {
        if (word == "btime") {
            double t = 0;
            in >> t;
            return t;
        }
    }
    return 0;
}

} // namespace

void write_store_metrics(const store::Env& env, std::string& out) {
    const store::Stats info = env.stats();

    struct stat file {};

    const auto path = env.dir() / "data.mdb";
    const bool have_file = ::stat(path.c_str(), &file) == 0;
    gauge(out, "switchboard_store_file_bytes", "Size of the store file (data.mdb).",
          have_file ? static_cast<double>(file.st_size) : 0);
    gauge(out, "switchboard_store_map_bytes",
          "Size of the store's memory map ([store] map_size_mb).",
          static_cast<double>(info.map_bytes));
    gauge(out, "switchboard_store_map_used_bytes", "Pages of the map in use, in bytes.",
          static_cast<double>(info.used_bytes));
    gauge(out, "switchboard_store_last_txn_id", "Id of the last committed write transaction.",
          static_cast<double>(info.last_txn_id));
    double age = 0;
    if (have_file) {
        const double now = static_cast<double>(std::time(nullptr));
        age = std::max(0.0, now - static_cast<double>(file.st_mtim.tv_sec));
    }
    gauge(out, "switchboard_store_last_commit_age_seconds",
          "Seconds since the store file was last written (the last durable commit).", age);
}

void write_process_metrics(std::string& out) {
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    std::ifstream stat_file("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    // Fields after the parenthesised command name (which may hold spaces), from field 3 on.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::vector<std::string> f;
    for (std::string w; fields >> w;) {
        f.push_back(w);
    }
    double cpu = 0, start = 0, rss = 0;
    if (f.size() > 21) {
        cpu = (std::stod(f[11]) + std::stod(f[12])) / tick; // utime, stime
        start = boot_time() + std::stod(f[19]) / tick;      // starttime
        rss = std::stod(f[21]) * page;                      // rss, in pages
    }
    std::size_t fds = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++fds;
    }
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    log::metric_family(out, "process_cpu_seconds_total", "counter",
                       "User and system CPU time spent, seconds.");
    sample(out, "process_cpu_seconds_total", cpu);
    gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", rss);
    gauge(out, "process_open_fds", "Number of open file descriptors.", static_cast<double>(fds));
    gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
          static_cast<double>(limit.rlim_cur));
    gauge(out, "process_start_time_seconds", "Start time of the process since the epoch, seconds.",
          start);
}

struct MetricsServer::Impl {
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::vector<Collector> collectors;
    std::thread thread;

    void serve_one(tcp::socket socket) {
        boost::beast::tcp_stream stream(std::move(socket));
        stream.expires_after(std::chrono::seconds(10));
        boost::beast::flat_buffer buffer(8192);
        http::request_parser<http::empty_body> parser;
        parser.header_limit(8192);
        boost::system::error_code ec;
        http::read(stream, buffer, parser, ec);
        if (ec) {
            return;
        }
        const auto& req = parser.get();
        http::response<http::string_body> res;
        res.version(req.version());
        res.keep_alive(false);
        if (req.target() != "/metrics") {
            res.result(http::status::not_found);
            res.set(http::field::content_type, "text/plain");
            res.body() = "not found: the metrics are at /metrics\n";
        } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
            res.result(http::status::method_not_allowed);
            res.set(http::field::allow, "GET, HEAD");
            res.set(http::field::content_type, "text/plain");
            res.body() = "use GET\n";
        } else {
            res.result(http::status::ok);
            res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            std::string body;
            for (const auto& c : collectors) {
                c(body);
            }
            if (req.method() == http::verb::head) {
                res.content_length(body.size());
            } else {
                res.body() = std::move(body);
            }
        }
        res.prepare_payload();
        http::write(stream, res, ec);
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) {
                return;
            }
            if (!ec) {
                try {
                    serve_one(std::move(socket));
                } catch (const std::exception& e) {
                    log::write(log::Level::Warning, "metrics", "scrape failed",
                               {{"error", e.what()}});
                }
            }
            accept();
        });
    }
};

MetricsServer::MetricsServer(const Endpoint& where, std::vector<Collector> collectors)
    : impl_(std::make_unique<Impl>()) {
    impl_->collectors = std::move(collectors);
    try {
        const tcp::endpoint ep(asio::ip::make_address(where.address), where.port);
        impl_->acceptor.open(ep.protocol());
        impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
        impl_->acceptor.bind(ep);
        impl_->acceptor.listen();
    } catch (const std::exception& e) {
        throw std::runtime_error("[metrics] listen " + where.address + ":" +
                                 std::to_string(where.port) + ": " + e.what());
    }
    impl_->accept();
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

MetricsServer::~MetricsServer() {
    asio::post(impl_->io, [this] {
        boost::system::error_code ec;
        impl_->acceptor.close(ec);
    });
    impl_->io.stop();
    impl_->thread.join();
}

unsigned short MetricsServer::port() const noexcept {
    return impl_->acceptor.local_endpoint().port();
}

} // namespace sb::app
