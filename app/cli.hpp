// The command line, parsed by Boost.Program_options: COMMAND [WORDS...] [--flag VALUE] [--bool].
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::app {

struct Args {
    std::string command;
    std::vector<std::string> words;           // positional words after the command
    std::map<std::string, std::string> flags; // --name VALUE; a boolean flag given maps to "1"
};

// Throws std::runtime_error naming the bad option or argument.
Args parse_args(int argc, char** argv);

// The --help text (commands, options, ini keys).
const char* usage() noexcept;

} // namespace sb::app
