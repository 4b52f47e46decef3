// sb_bench_probe — time from a server's start until every zone answers: sends one query per
// line of FILE ("name TYPE", TYPE one of SOA A NS NAPTR SRV) to 127.0.0.1:PORT over UDP, every
// 2 ms for the lines not yet answered, until each has an authoritative NOERROR answer with at
// least one RR or TIMEOUT seconds pass. Prints the seconds from the time in LAUNCHED (the
// CLOCK_REALTIME time sb_bench_launch writes there as it execs the server, waited for) to the
// first and to the last correct answer.
//
//   sb_bench_probe PORT FILE LAUNCHED TIMEOUT   → "first 0.123 all 0.456" (exit 0), or exit 1
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

double now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<unsigned char> query(std::uint16_t id, const std::string& name, std::uint16_t type) {
    std::vector<unsigned char> q = {static_cast<unsigned char>(id >> 8),
                                    static_cast<unsigned char>(id),
                                    0,
                                    0,
                                    0,
                                    1,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0};
    std::stringstream labels(name);
    std::string label;
    while (std::getline(labels, label, '.')) {
        if (!label.empty()) {
            q.push_back(static_cast<unsigned char>(label.size()));
            q.insert(q.end(), label.begin(), label.end());
        }
    }
    q.push_back(0);
    q.push_back(static_cast<unsigned char>(type >> 8));
    q.push_back(static_cast<unsigned char>(type));
    q.push_back(0);
    q.push_back(1);
    return q;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: sb_bench_probe PORT FILE LAUNCHED TIMEOUT\n");
        return 2;
    }
    const std::map<std::string, std::uint16_t> types = {
        {"A", 1}, {"NS", 2}, {"SOA", 6}, {"SRV", 33}, {"NAPTR", 35}};
    std::vector<std::vector<unsigned char>> queries;
    std::ifstream file(argv[2]);
    std::string name, type;
    while (file >> name >> type) {
        if (types.count(type) == 0 || queries.size() >= 65535) {
            std::fprintf(stderr, "sb_bench_probe: unsupported line %s %s\n", name.c_str(),
                         type.c_str());
            return 2;
        }
        queries.push_back(query(static_cast<std::uint16_t>(queries.size()), name, types.at(type)));
    }
    const double deadline = now() + std::stod(argv[4]);
    double since = -1;
    while (since < 0 && now() < deadline) {
        std::ifstream launched(argv[3]);
        if (!(launched >> since)) {
            since = -1;
            usleep(500);
        }
    }
    if (since < 0) {
        std::fprintf(stderr, "sb_bench_probe: no start time in %s\n", argv[3]);
        return 1;
    }
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(argv[1])));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    std::vector<bool> done(queries.size());
    std::size_t left = queries.size();
    double first = -1, last = -1;
    while (left > 0 && now() < deadline) {
        for (std::size_t i = 0; i < queries.size(); ++i) {
            if (!done[i]) {
                (void)send(fd, queries[i].data(), queries[i].size(), 0);
            }
        }
        const double round_end = now() + 0.002;
        for (double t = now(); t < round_end && left > 0; t = now()) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 1) <= 0) {
                continue;
            }
            unsigned char buf[4096];
            const ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n < 12) {
                continue;
            }
            const std::size_t id = static_cast<std::size_t>(buf[0] << 8 | buf[1]);
            const bool aa = (buf[2] & 0x04) != 0;
            const int rcode = buf[3] & 0x0f;
            const int ancount = buf[6] << 8 | buf[7];
            if (id < queries.size() && !done[id] && aa && rcode == 0 && ancount > 0) {
                done[id] = true;
                --left;
                last = now() - since;
                if (first < 0) {
                    first = last;
                }
            }
        }
    }
    close(fd);
    if (left > 0) {
        std::fprintf(stderr, "sb_bench_probe: %zu of %zu zones never answered\n", left,
                     queries.size());
        return 1;
    }
    std::printf("first %.3f all %.3f\n", first, last);
    return 0;
}
