// sb_bench_launch — starts a server as bench/run.sh measures it: pins this process to CPU,
// sets its nice value, writes the CLOCK_REALTIME time to FILE (the start figure counts from
// there) and execs COMMAND, which keeps this process's pid. `nice` and `taskset` did the first
// two as programs of their own, whose start the figure counted: 10–20 ms with a cold page
// cache, the same for every server but none of it theirs.
//
//   sb_bench_launch CPU NICE FILE COMMAND [ARG...]     → exit 2 if it cannot exec COMMAND
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: sb_bench_launch CPU NICE FILE COMMAND [ARG...]\n");
        return 2;
    }
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(std::atoi(argv[1]), &cpus);
    if (sched_setaffinity(0, sizeof cpus, &cpus) != 0 ||
        setpriority(PRIO_PROCESS, 0, std::atoi(argv[2])) != 0) {
        std::fprintf(stderr, "sb_bench_launch: %s\n", std::strerror(errno));
        return 2;
    }
    // Written aside and renamed: the probe, polling for FILE, never reads half of it.
    const std::string file = argv[3];
    const std::string part = file + ".part";
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    std::FILE* f = std::fopen(part.c_str(), "w");
    if (f == nullptr ||
        std::fprintf(f, "%lld.%09ld\n", static_cast<long long>(ts.tv_sec), ts.tv_nsec) < 0 ||
        std::fclose(f) != 0 || std::rename(part.c_str(), file.c_str()) != 0) {
        std::fprintf(stderr, "sb_bench_launch: cannot write %s\n", file.c_str());
        return 2;
    }
    execvp(argv[4], argv + 4);
    std::fprintf(stderr, "sb_bench_launch: %s: %s\n", argv[4], std::strerror(errno));
    return 2;
}
