#include "log/log.hpp"

#include "log/systemd.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <string>
#include <vector>

namespace sb::log {

namespace {

std::atomic<Level> current_level{Level::Info};
std::atomic<Target> current_target{Target::Stderr};

constexpr std::array<std::pair<std::string_view, Level>, 5> names{{
    {"error", Level::Error},
    {"warning", Level::Warning},
    {"notice", Level::Notice},
    {"info", Level::Info},
    {"debug", Level::Debug},
}};

// A value written on one stderr line: newlines would split it, so they become spaces.
void append_flat(std::string& out, std::string_view text) {
    for (const char c : text) {
        out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    }
}

void to_stderr(Level level, std::string_view component, std::string_view message,
               std::initializer_list<Field> fields) {
    std::string line = "switchboard: ";
    line += level_name(level);
    line += ": ";
    line += component;
    line += ": ";
    append_flat(line, message);
    for (const auto& f : fields) {
        line += ' ';
        line += f.key;
        line += '=';
        append_flat(line, f.value);
    }
    line += '\n';
    // One write(2) per line, so lines of concurrent threads never interleave.
    std::string_view rest = line;
    while (!rest.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n <= 0) {
            return;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void to_journal(Level level, std::string_view component, std::string_view message,
                std::initializer_list<Field> fields) {
    std::vector<std::string> items;
    items.reserve(4 + fields.size());
    items.push_back("MESSAGE=" + std::string(component) + ": " + std::string(message));
    items.push_back("PRIORITY=" + std::to_string(static_cast<int>(level)));
    items.emplace_back("SYSLOG_IDENTIFIER=switchboard");
    items.push_back("SB_COMPONENT=" + std::string(component));
    for (const auto& f : fields) {
        std::string item = "SB_";
        for (const char c : f.key) {
            item.push_back(std::isalnum(static_cast<unsigned char>(c))
                               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                               : '_');
        }
        item += '=';
        item += f.value;
        items.push_back(std::move(item));
    }
    std::vector<iovec> iov(items.size());
    std::transform(items.begin(), items.end(), iov.begin(), [](std::string& s) {
        return iovec{s.data(), s.size()};
    });
    systemd::journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

} // namespace

bool parse_level(std::string_view text, Level& level) noexcept {
    for (const auto& [name, value] : names) {
        if (name == text) {
            level = value;
            return true;
        }
    }
    return false;
}

std::string_view level_name(Level level) noexcept {
    for (const auto& [name, value] : names) {
        if (value == level) {
            return name;
        }
    }
    return "?";
}

void configure(Level level, Target target) noexcept {
    current_level.store(level, std::memory_order_relaxed);
    current_target.store(target, std::memory_order_relaxed);
}

bool enabled(Level level) noexcept {
    return static_cast<int>(level) <=
           static_cast<int>(current_level.load(std::memory_order_relaxed));
}

void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields) noexcept {
    if (!enabled(level)) {
        return;
    }
    try {
        // Without libsystemd (a container, a minimal system) the lines go to stderr.
        if (current_target.load(std::memory_order_relaxed) == Target::Journal &&
            systemd::available()) {
            to_journal(level, component, message, fields);
        } else {
            to_stderr(level, component, message, fields);
        }
    } catch (...) {
        // Out of memory while logging: the line is lost, the caller goes on.
    }
}

} // namespace sb::log
