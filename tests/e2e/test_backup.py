#!/usr/bin/python3
"""Backup and restore through the real binary.

 backup_while_serving   `switchboard backup DIR --data D` while `switchboard serve` runs on D
     and a writer keeps adding records: the backup opens, is a consistent snapshot (every
     record row it holds is answered by DNS from it, with its value), and a second backup into
     the same DIR is refused; `switchboard compact --data D` while serving leaves every
     answer as it was (dig-style queries go on during it, each answered as before), gives
     the free pages' blocks back to the file system (the file's blocks shrink, its length
     stays), and later changes are answered; with the servers stopped, compact swaps in a
     compacting copy: the file shrinks and every answer stays.
 restore_checks         `switchboard restore DIR --data NEW` installs the backup; a server on
     NEW answers the records; restoring onto a data dir that already holds a store is refused;
     a backup whose schema version differs is refused.

Usage: /usr/bin/python3 test_backup.py --binary PATH/TO/switchboard
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir  # noqa: E402
from test_crash import ZONE, Soap, add_record, dns_a, records  # noqa: E402


def serve(args, data, dns=True, soap=True):
    mode = "serve" if dns and soap else ("dns" if dns else "provision")
    return sbtest.start(args, mode, data, dns=dns, soap=soap)


def run(args, *argv):
    return subprocess.run([args.binary, *argv], capture_output=True, text=True, timeout=60)


def compact_while_serving(args, ck, data, backup):
    with serve(args, data) as srv:
        soap = Soap(srv.soap_port, data.username, data.password)
        soap.call(f"<ns5:addZone><zone><name>{ZONE}</name><nameservers><item>ns1.{ZONE}"
                  f"</item></nameservers></zone></ns5:addZone>")
        for i in range(20):
            add_record(soap, f"before{i}", f"10.0.0.{i + 1}")
        stop = threading.Event()

        def writer():
            w = Soap(srv.soap_port, data.username, data.password)
            i = 0
            while not stop.is_set():
                i += 1
                add_record(w, f"during{i}", f"10.1.{i // 250 % 250}.{i % 250 + 1}")
        t = threading.Thread(target=writer)
        t.start()
        r = run(args, "backup", backup, "--data", data.path)
        stop.set()
        t.join()
        ck.eq(r.returncode, 0, f"backup exit status ({r.stderr.strip()})")
        # compact rewrites the DNS data while the server answers from it, and gives the
        # blocks of the free pages (the writes above left many) back to the file system.
        before = {name: dns_a(srv.dns_port, name)[1] for name, _ in records(soap).values()}
        blocks = os.stat(os.path.join(data.path, "data.mdb")).st_blocks
        length = os.path.getsize(os.path.join(data.path, "data.mdb"))
        inode = os.stat(os.path.join(data.path, "data.mdb")).st_ino
        done = threading.Event()
        wrong = []
        asked = [0]

        def asker():
            names = sorted(before)
            while not done.is_set():
                name = names[asked[0] % len(names)]
                got = dns_a(srv.dns_port, name)
                asked[0] += 1
                if got != (0, before[name]):
                    wrong.append((name, got))
        q = threading.Thread(target=asker)
        q.start()
        r = run(args, "compact", "--data", data.path)
        done.set()
        q.join()
        ck.eq(r.returncode, 0, f"compact exit status ({r.stderr.strip()})")
        ck.check(asked[0] > 0 and not wrong,
                 f"{asked[0]} queries during compact, each answered as before: {wrong[:3]}")
        smaller = os.stat(os.path.join(data.path, "data.mdb")).st_blocks
        ck.check(smaller < blocks, f"compact while serving gives blocks back: {blocks * 512} → "
                 f"{smaller * 512} bytes ({r.stdout.strip()})")
        # The server's map stays on the same file, never shortened under it. It may grow: the
        # compact's own commits take new pages while the asker's snapshots pin free ones.
        now = os.stat(os.path.join(data.path, "data.mdb"))
        ck.check(now.st_ino == inode and now.st_size >= length,
                 f"the file is neither replaced nor shortened while serving: {length} → "
                 f"{now.st_size} bytes, inode {inode} → {now.st_ino}")
        print(f"    compacted while serving: {blocks * 512} → {smaller * 512} bytes on disk")
        after = {name: dns_a(srv.dns_port, name)[1] for name in before}
        ck.eq(after, before, "every record answered as before after compact")
        add_record(soap, "aftercompact", "10.2.0.1")
        ck.eq(dns_a(srv.dns_port, f"aftercompact.{ZONE}")[1], {"10.2.0.1"},
              "a record added after compact is answered")
        again = run(args, "backup", backup, "--data", data.path)
        ck.check(again.returncode != 0 and "already" in again.stderr,
                 f"a second backup into the same dir is refused: {again.stderr!r}")


def compact_offline(args, ck, data):
    """With the servers stopped, compact swaps in a compacting copy: the file shrinks (the
    pages the writes above left free go back to the file system) and every answer stays."""
    with serve(args, data) as srv:
        soap = Soap(srv.soap_port, data.username, data.password)
        before = {name: dns_a(srv.dns_port, name)[1] for name, _ in records(soap).values()}
    size = os.path.getsize(os.path.join(data.path, "data.mdb"))
    r = run(args, "compact", "--data", data.path)
    ck.eq(r.returncode, 0, f"compact with the servers stopped ({r.stderr.strip()})")
    smaller = os.path.getsize(os.path.join(data.path, "data.mdb"))
    ck.check(smaller < size,
             f"the file shrinks from {size} to {smaller} bytes ({r.stdout.strip()})")
    ck.check(not os.path.exists(os.path.join(data.path, "compact.tmp")), "no copy left behind")
    print(f"    compacted with the servers stopped: {size} → {smaller} bytes")
    with serve(args, data) as srv:
        after = {name: dns_a(srv.dns_port, name)[1] for name in before}
        ck.eq(after, before, "every record answered as before from the compacted store")
        soap = Soap(srv.soap_port, data.username, data.password)
        add_record(soap, "afteroffline", "10.3.0.1")
        ck.eq(dns_a(srv.dns_port, f"afteroffline.{ZONE}")[1], {"10.3.0.1"},
              "the compacted store takes writes")


def test_backup_and_restore(args):
    ck = Checker("backup_and_restore")
    backup = tempfile.mkdtemp(prefix="sb-backup-")
    shutil.rmtree(backup)
    try:
        with DataDir(keep=args.keep) as data:
            compact_while_serving(args, ck, data, backup)
            compact_offline(args, ck, data)

        with DataDir(keep=args.keep) as fresh:
            shutil.rmtree(fresh.path)
            os.makedirs(fresh.path)
            r = run(args, "restore", backup, "--data", fresh.path)
            ck.eq(r.returncode, 0, f"restore exit status ({r.stderr.strip()})")
            again = run(args, "restore", backup, "--data", fresh.path)
            ck.check(again.returncode != 0 and "already holds a store" in again.stderr,
                     f"restore onto a store is refused: {again.stderr!r}")
            with open(fresh.ini, "w") as f:
                f.write(f"[admin]\nusername = {fresh.username}\npassword = {fresh.password}\n")
            with serve(args, fresh) as srv:
                soap = Soap(srv.soap_port, fresh.username, fresh.password)
                rows = records(soap)
                names = {name for name, _ in rows.values()}
                ck.check(all(f"before{i}.{ZONE}" in names for i in range(20)),
                         "every record added before the backup is in it")
                # Consistent: each row it holds is answered, nothing more, nothing less.
                for name, value in rows.values():
                    _, values = dns_a(srv.dns_port, name)
                    ck.eq(values, {value}, f"{name} answered from the restored store")
                print(f"    restored {len(rows)} records")

        # A store of another schema version is refused, with the versions named: a newer one,
        # and an older one (version 6, before the record ids moved into the nodes), which is
        # not migrated.
        for version, says in ((99, "newer switchboard"), (6, "older switchboard")):
            with DataDir(keep=args.keep) as other:
                tampered = tempfile.mkdtemp(prefix="sb-tampered-")
                shutil.rmtree(tampered)
                shutil.copytree(backup, tampered)
                dump = subprocess.run(["mdb_dump", "-s", "meta", tampered], capture_output=True,
                                      text=True, check=True).stdout
                # The value of meta's schema_version key is a 4-byte big-endian number.
                dump = re.sub(r"(736368656d615f76657273696f6e\n) [0-9a-f]{8}\n",
                              r"\1 %08x\n" % version, dump)
                subprocess.run(["mdb_load", "-s", "meta", tampered], input=dump, text=True,
                               check=True, capture_output=True)
                shutil.rmtree(other.path)
                r = run(args, "restore", tampered, "--data", other.path)
                ck.check(r.returncode != 0 and f"schema version {version}," in r.stderr and
                         says in r.stderr and not os.path.exists(other.path + "/data.mdb"),
                         f"a backup of schema version {version} is refused: {r.stderr!r}")
                shutil.rmtree(tampered, ignore_errors=True)
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
