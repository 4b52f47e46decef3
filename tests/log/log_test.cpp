// log: level names round-trip, lines below the level are dropped, a line on stderr carries
// level, component, message and key=value fields on one line (newlines flattened).
#include "log/log.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

using namespace sb;

// Runs `f` with stderr redirected into a pipe and returns what it wrote.
template <class F>
std::string capture_stderr(F f) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[1]);
    f();
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    return out;
}

} // namespace

TEST_CASE("log: level names round-trip and unknown names are refused", "[log]") {
    for (const char* name : {"error", "warning", "notice", "info", "debug"}) {
        log::Level level{};
        REQUIRE(log::parse_level(name, level));
        CHECK(log::level_name(level) == name);
    }
    log::Level level = log::Level::Info;
    CHECK_FALSE(log::parse_level("verbose", level));
    CHECK_FALSE(log::parse_level("", level));
    CHECK(level == log::Level::Info);
}

TEST_CASE("log: lines below the configured level are dropped", "[log]") {
    log::configure(log::Level::Warning, log::Target::Stderr);
    CHECK(log::enabled(log::Level::Error));
    CHECK(log::enabled(log::Level::Warning));
    CHECK_FALSE(log::enabled(log::Level::Info));
    const std::string out = capture_stderr([] {
        log::write(log::Level::Info, "test", "hidden");
        log::write(log::Level::Error, "test", "shown");
    });
    CHECK(out == "switchboard: error: test: shown\n");
    log::configure(log::Level::Info, log::Target::Stderr);
}

TEST_CASE("log: one stderr line with the fields, newlines flattened", "[log]") {
    log::configure(log::Level::Debug, log::Target::Stderr);
    const std::string out = capture_stderr([] {
        log::write(log::Level::Notice, "dns", "transfer\nsent",
                   {{"zone", "example.com"}, {"peer", "192.0.2.1\n"}});
    });
    CHECK(out == "switchboard: notice: dns: transfer sent zone=example.com peer=192.0.2.1 \n");
    log::configure(log::Level::Info, log::Target::Stderr);
}

TEST_CASE("log: the journal target never writes to stderr", "[log]") {
    log::configure(log::Level::Debug, log::Target::Journal);
    const std::string out = capture_stderr([] {
        log::write(log::Level::Info, "test", "to the journal", {{"key", "value"}});
    });
    CHECK(out.empty());
    log::configure(log::Level::Info, log::Target::Stderr);
}
