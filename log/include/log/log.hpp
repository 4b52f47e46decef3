// sb::log — levelled log lines to stderr or the systemd journal, with structured fields.
// One line per event worth an operator's attention (start, stop, transfer, NOTIFY, TSIG
// failure, store error); never one per query. Every library may use it; it uses none of ours.
#pragma once

#include <initializer_list>
#include <string_view>

namespace sb::log {

// syslog(3) priorities, so the journal's PRIORITY= is the level's value.
enum class Level { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

enum class Target { Stderr, Journal };

// "error", "warning", "notice", "info", "debug" → Level; false when `text` is none of them.
bool parse_level(std::string_view text, Level& level) noexcept;
std::string_view level_name(Level level) noexcept;

// Process-wide; safe to call while other threads log (the change shows from the next line).
void configure(Level level, Target target) noexcept;
bool enabled(Level level) noexcept;

// A structured field: on stderr `key=value`, in the journal `SB_KEY=value`.
struct Field {
    std::string_view key;
    std::string_view value;
};

// Writes one line when `level` is enabled: on stderr
// `switchboard: <level>: <component>: <message> key=value ...`, in the journal MESSAGE= with
// PRIORITY=, SYSLOG_IDENTIFIER=switchboard, SB_COMPONENT= and the fields. Never throws.
void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {}) noexcept;

} // namespace sb::log
