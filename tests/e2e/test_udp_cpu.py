#!/usr/bin/python3
"""UDP workers and CPUs through the real binary (docs/decisions.md "UDP workers pinned", "UDP
threads"):
  - with a worker for every CPU this process may use, each worker's UDP thread is pinned to one
    of them, a different one each, and every other thread of the server may run anywhere;
  - a client running on CPU c is answered by the worker pinned to c (SO_INCOMING_CPU): the
    worker it wakes is on its own CPU. Each sequential query wakes the worker that answers it
    once, so that worker's voluntary context switches grow by about the number of queries
    while the others' stay put;
  - with fewer workers than CPUs, or `[dns] cpu_affinity = false`, nothing is pinned.
  - a UDP thread (named dns-udp) makes two system calls per query that wakes it, recvmmsg and
    sendmmsg (strace on that thread), and no epoll call; no other thread of the server wakes
    for UDP queries (no reactor watches the UDP socket);
  - stopping the server (SIGTERM) ends the blocked UDP threads: it exits 0 promptly.
On a machine (or under a CPU mask) with a single CPU, nothing is pinned, which is checked.

Usage: /usr/bin/python3 test_udp_cpu.py --binary PATH/TO/switchboard
"""

import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, count_calls, start_serve_www,  # noqa: E402
                    strace_during, strace_missing)
from test_cookies import parse, query  # noqa: E402

ZONE = "cpu.example"
QUERIES = 100


def threads(pid, names=None):
    """{tid: (allowed CPUs as a set, voluntary context switches)} of the process; with a
    dict `names`, also fills it with {tid: thread name}."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                fields = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        except FileNotFoundError:
            continue  # a thread that just ended
        cpus = set()
        for part in fields["Cpus_allowed_list"].strip().split(","):
            lo, _, hi = part.partition("-")
            cpus.update(range(int(lo), int(hi or lo) + 1))
        out[int(tid)] = (cpus, int(fields["voluntary_ctxt_switches"]))
        if names is not None:
            names[int(tid)] = fields["Name"].strip()
    return out


def pinned(pid):
    """{cpu: (tid, voluntary switches)} of the threads allowed on one CPU only."""
    return {next(iter(c)): (tid, v) for tid, (c, v) in threads(pid).items() if len(c) == 1}


def ask(port, n):
    """n sequential queries, 2 ms apart (so each wakes the worker): the number answered."""
    answered = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        for i in range(n):
            s.sendto(query(i, "www." + ZONE), ("127.0.0.1", port))
            try:
                qid, rcode, _, an, _ = parse(s.recv(4096))
                answered += qid == i and rcode == 0 and an > 0
            except socket.timeout:
                pass
            time.sleep(0.002)
    return answered


def steered(ck, srv, cpus):
    """The workers are pinned one per CPU, and a client is answered by its CPU's worker."""
    pid = srv.proc.pid
    workers = pinned(pid)
    ck.eq(sorted(workers), cpus, "one worker pinned to each CPU")
    worker_tids = {tid for tid, _ in workers.values()}
    others = [c for tid, (c, _) in threads(pid).items() if tid not in worker_tids]
    ck.check(all(c == set(cpus) for c in others),
             f"the other threads may run on every CPU: {others}")
    for cpu in cpus[:4]:
        before = pinned(pid)
        os.sched_setaffinity(0, {cpu})  # this (the client's) thread only
        try:
            answered = ask(srv.dns_port, QUERIES)
        finally:
            os.sched_setaffinity(0, cpus)
        after = pinned(pid)
        grew = {c: after[c][1] - before[c][1] for c in before}
        print(f"    client on CPU {cpu}: {answered} answered; worker wake-ups per CPU: {grew}",
              flush=True)
        ck.eq(answered, QUERIES, f"client on CPU {cpu}: every query answered")
        ck.check(grew.get(cpu, 0) >= QUERIES * 9 // 10,
                 f"client on CPU {cpu}: the worker on its CPU answered: {grew}")
        ck.check(all(g <= QUERIES // 10 for c, g in grew.items() if c != cpu),
                 f"client on CPU {cpu}: the other workers stayed asleep: {grew}")


def test_workers_per_cpu(args):
    cpus = sorted(os.sched_getaffinity(0))
    ck = Checker(f"a worker per CPU ({len(cpus)} CPUs: {cpus})")
    with DataDir(keep=args.keep, extra_ini=f"[dns]\nworkers = {len(cpus)}\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            if len(cpus) < 2:
                ck.eq(pinned(srv.proc.pid), {}, "one CPU: no thread is pinned")
                ck.eq(ask(srv.dns_port, 10), 10, "answered")
            else:
                steered(ck, srv, cpus)
        finally:
            srv.stop()
        ck.done()


def unpinned(args, name, ini):
    cpus = sorted(os.sched_getaffinity(0))
    ck = Checker(name)
    with DataDir(keep=args.keep, extra_ini=ini) as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            ck.eq(pinned(srv.proc.pid), {}, f"nothing pinned ({len(cpus)} CPUs, {ini!r})")
            ck.eq(ask(srv.dns_port, 10), 10, "answered")
        finally:
            srv.stop()
        ck.done()


def test_fewer_workers(args):
    unpinned(args, "fewer workers than CPUs", "[dns]\nworkers = 1\n")


def test_affinity_off(args):
    workers = len(os.sched_getaffinity(0))
    unpinned(args, "cpu_affinity = false",
             f"[dns]\nworkers = {workers}\ncpu_affinity = false\n")


SYSCALLS = ("recvmmsg", "sendmmsg", "epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll",
            "select", "recvfrom", "recvmsg", "sendto", "sendmsg")


def test_udp_thread(args):
    ck = Checker("the UDP thread: recvmmsg and sendmmsg per wake-up, nothing else wakes")
    if strace_missing(ck):
        ck.done()
        return
    with DataDir(keep=args.keep, extra_ini="[dns]\nworkers = 1\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            pid = srv.proc.pid
            names = {}
            threads(pid, names)
            udp = [tid for tid, name in names.items() if name == "dns-udp"]
            ck.eq(len(udp), 1, f"one UDP thread (one worker, one address): {names}")
            if len(udp) == 1:
                def action():
                    before = threads(pid)
                    return before, ask(srv.dns_port, QUERIES), threads(pid)

                (before, answered, after), lines = strace_during(
                    udp[0], SYSCALLS, os.path.join(data.path, "strace.txt"), action)
                calls = count_calls(lines, SYSCALLS)
                print(f"    {answered} answered; system calls of the UDP thread: {calls}",
                      flush=True)
                ck.eq(answered, QUERIES, "every query answered")
                # Each query wakes the thread once: one sendmmsg, one recvmmsg (the one it was
                # blocked in returns; the next blocks), so QUERIES of each, +1 for the last.
                ck.check(QUERIES <= calls.get("recvmmsg", 0) <= QUERIES + 1,
                         f"one recvmmsg per query: {calls}")
                ck.eq(calls.get("sendmmsg", 0), QUERIES, "one sendmmsg per query")
                ck.eq(sorted(set(calls) - {"recvmmsg", "sendmmsg"}), [],
                      "no other system call on the UDP path (no epoll, no per-datagram recv)")
                woke = {tid: after[tid][1] - before[tid][1] for tid in before
                        if tid in after and tid != udp[0]}
                ck.check(all(w <= QUERIES // 10 for w in woke.values()),
                         f"no other thread woke for the UDP queries: {woke}")
            t0 = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            code = srv.proc.wait(10)
            ck.eq(code, 0, "SIGTERM: the server ends its blocked UDP thread and exits 0")
            ck.check(time.monotonic() - t0 < 5, "and promptly")
        finally:
            srv.stop()
        ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
