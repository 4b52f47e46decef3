#!/usr/bin/python3
"""The audit log: every provisioning change and every failed login is one structured line.

 audit_lines   addZone and addRecord as the administrator, addRecord refused (duplicate),
     a failed login and a read: the server's log holds `audit ... op=DnsPort.addZone ...
     user="admin" ... object="zone audit.example" result=ok`, the addRecord with its record
     id, the refused one with result=fault:7003, the failed login with result=fault:8000 and
     the source address; reads leave no audit line.

Usage: /usr/bin/python3 test_audit.py --binary PATH/TO/switchboard
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, start_serve  # noqa: E402
from test_crash import Soap, add_record  # noqa: E402

ZONE = "crash.example"


def test_audit_lines(args):
    ck = Checker("audit_lines")
    with DataDir(keep=args.keep) as data:
        srv = start_serve(args, data)
        try:
            soap = Soap(srv.soap_port, data.username, data.password)
            soap.call(f"<ns5:addZone><zone><name>{ZONE}</name><nameservers><item>ns1.{ZONE}"
                      f"</item></nameservers></zone></ns5:addZone>")
            add_record(soap, "www", "192.0.2.1")
            try:
                add_record(soap, "www", "192.0.2.1")
            except RuntimeError:
                pass
            soap.call(f"<ns5:getZone><zone>{ZONE}</zone></ns5:getZone>")
            try:
                Soap(srv.soap_port, "mallory", "guess").call(
                    f"<ns5:getZone><zone>{ZONE}</zone></ns5:getZone>")
            except RuntimeError:
                pass
        finally:
            srv.stop()
        log = srv.output(tail=100000)
    # The audit line's text follows the log prefix ("switchboard: notice: provisioning: ").
    lines = [line[line.index("audit time="):] for line in log.splitlines()
             if "audit time=" in line]
    print("\n".join("    " + line for line in lines))

    def find(pattern):
        return [line for line in lines if re.search(pattern, line)]
    ck.check(find(rf'op=DnsPort\.addZone from=127\.0\.0\.1 user="admin" as_customer=0 '
                  rf'object="zone {ZONE}" result=ok'), "addZone audited")
    ck.check(find(rf'op=DnsPort\.addRecord .*object="record \d+ www A 192\.0\.2\.1 in {ZONE}"'
                  rf' result=ok'), "addRecord audited with its id")
    ck.check(find(r"op=DnsPort\.addRecord .*result=fault:7003"), "refused addRecord audited")
    ck.check(find(r"op=DnsPort\.getZone from=127\.0\.0\.1 result=fault:8000"),
             "failed login audited with its address")
    ck.check(not find(r'op=DnsPort\.getZone .*user="admin"'), "reads are not audited")
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
