// sb_bench_echo — the load generator's ceiling: a trivial UDP responder that answers every
// datagram by echoing it with QR set, in batches (recvmmsg/sendmmsg) on one thread. Whatever
// dnsperf reaches against it is the most it can measure on this machine, and its CPU per
// query is the kernel's floor for one UDP query and answer over loopback.
//
//   sb_bench_echo ADDR PORT        (runs until SIGTERM/SIGINT)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: sb_bench_echo ADDR PORT\n");
        return 2;
    }
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[2])));
    if (fd < 0 || inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        std::fprintf(stderr, "sb_bench_echo: bad address %s\n", argv[1]);
        return 1;
    }
    const int rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("sb_bench_echo: bind");
        return 1;
    }
    constexpr unsigned batch = 64;
    static std::array<std::array<unsigned char, 1500>, batch> bufs;
    std::array<iovec, batch> iov{};
    std::array<sockaddr_in, batch> peers{};
    std::array<mmsghdr, batch> msgs{};
    for (;;) {
        for (unsigned i = 0; i < batch; ++i) {
            iov[i] = {bufs[i].data(), bufs[i].size()};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &peers[i];
            msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
        }
        const int n = recvmmsg(fd, msgs.data(), batch, MSG_WAITFORONE, nullptr);
        if (n <= 0) {
            continue;
        }
        for (int i = 0; i < n; ++i) {
            if (msgs[static_cast<unsigned>(i)].msg_len > 2) {
                bufs[static_cast<unsigned>(i)][2] |= 0x80; // QR
            }
            iov[static_cast<unsigned>(i)].iov_len = msgs[static_cast<unsigned>(i)].msg_len;
        }
        sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
    }
}
