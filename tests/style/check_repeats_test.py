#!/usr/bin/env python3
"""check_repeats.py fails on what it is there for and passes what it must let through: a
6-line function body copied with its variables, fields and literals renamed fails, naming both
places, within a file and across files; a 5-line repeat, repeated braces, includes and
comments, a table of one shape and code under a build directory pass. Each case is a small
provisioning/ tree in a temporary directory."""

import os
import sys

import tree_cases

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_repeats.py")

BODY_A = """int total_of(const Order& order) {
    int sum = 0;
    for (const auto& line : order.lines) {
        if (line.quantity > 0) {
            sum += line.price * line.quantity;
        }
        log("order", sum);
    }
    audit(order.id, sum);
    return sum;
}
"""

# The same body, every name and literal changed.
BODY_B = """long weight_of(const Parcel& parcel) {
    long kg = 1;
    for (const auto& item : parcel.items) {
        if (item.count > 2) {
            kg += item.mass * item.count;
        }
        trace("parcel", kg);
    }
    record(parcel.code, kg);
    return kg;
}
"""

FIVE_A = """int f(int a) {
    int b = a + 1;
    b *= 2;
    g(b);
    h(b, a);
    return b;
}
"""

FIVE_B = """long k(int x) {
    int y = x + 7;
    y *= 3;
    m(y);
    n(y, x);
    return x;
}
"""

BORING = """#include "a.hpp"
#include "b.hpp"
#include "c.hpp"
#include "d.hpp"
#include "e.hpp"
#include "f.hpp"
// one comment
// two comment
// three comment
// four comment
// five comment
// six comment
namespace sb::prov {
}
}
}
}
}
}
} // namespace sb::prov
"""

TABLE = """void copy(const In& in, Out& out) {
    out.a = in.a;
    out.b = in.b;
    out.c = in.c;
    out.d = in.d;
    out.e = in.e;
    out.f = in.f;
}
"""

TABLE2 = TABLE.replace("copy(", "copy_back(").replace("In&", "Out2&").replace("Out&", "In2&")

# Two gSOAP entry points: generated signatures, each body one serve() call into a service.
ENTRY_POINTS = """int ns__addThing(struct soap* soap, ns__Thing* thing,
                 ns__addThingResponse&) {
    return serve(soap, "Port.addThing", [&](const Caller& caller) {
        audit_note(soap, "thing " + who(thing));
        context(soap).things.add_thing(caller, from_soap(thing));
    });
}

int ns__updateWidget(struct soap* soap, ns__Widget* widget,
                     ns__updateWidgetResponse&) {
    return serve(soap, "Port.updateWidget", [&](const Caller& caller) {
        audit_note(soap, "widget " + who(widget));
        context(soap).widgets.update_widget(caller, from_soap(widget));
    });
}
"""

# Entry points whose bodies are a copied 6-line body with renamed names.
ENTRY_BODIES = ("int ns__a(struct soap* soap, int x, ns__aResponse& out) {\n" + BODY_A +
                "}\n\nint ns__b(struct soap* soap, int y, ns__bResponse& out) {\n" + BODY_B +
                "}\n")

# Row schemas: each row lists its stored fields in fields().
SCHEMAS = "".join(f"""struct Row{i} : Input{i} {{
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {{
        v(r.id), v(r.name{i}), v(r.reseller),
            v(r.change_date);
    }}
}};

""" for i in range(3))

# A codec header's list of overloads.
DECLARATIONS = """Input from_soap(const Soap& s);
Filter from_soap(const Query* q);
void to_soap(struct soap* soap, const View& v, Soap& out);
void to_soap(struct soap* soap, const Other& v, SoapOther& out);
std::vector<Id> from_soap(const IdArray* ids);
Other from_soap(const SoapOther& s);
"""

CASES = [
    ("different code passes", {"provisioning/src/a.cpp": BODY_A, "provisioning/src/b.cpp": FIVE_A},
     0, None),
    ("a renamed copy in another file fails",
     {"provisioning/src/a.cpp": BODY_A, "provisioning/src/b.cpp": "\n\n" + BODY_B},
     1, "provisioning/src/a.cpp:3-10 ~ provisioning/src/b.cpp:5-12"),
    ("a renamed copy in the same file fails",
     {"provisioning/include/provisioning/x.hpp": BODY_A + "\n" + BODY_B},
     1, "x.hpp:3-10 ~ provisioning/include/provisioning/x.hpp:15-22"),
    ("five repeated lines pass", {"provisioning/src/a.cpp": FIVE_A + FIVE_B}, 0, None),
    ("includes, comments and braces do not count",
     {"provisioning/src/a.cpp": BORING, "provisioning/src/b.cpp": BORING}, 0, None),
    ("a table of one shape is not a repeat",
     {"provisioning/src/a.cpp": TABLE, "provisioning/src/b.cpp": TABLE2}, 0, None),
    ("gSOAP entry points of one serve() call each pass", {
        "provisioning/src/a_port.cpp": ENTRY_POINTS,
        "provisioning/src/b_port.cpp": ENTRY_POINTS.replace("Thing", "Gadget")}, 0, None),
    ("a renamed body copied inside gSOAP entry points fails",
     {"provisioning/src/a_port.cpp": ENTRY_BODIES}, 1, "a_port.cpp:4-11 ~ provisioning/src/a_port.cpp:18-25"),
    ("row schemas (fields()) are not repeats",
     {"provisioning/include/provisioning/rows.hpp": SCHEMAS}, 0, None),
    ("a list of declarations is not a repeat", {
        "provisioning/src/a_codec.hpp": DECLARATIONS,
        "provisioning/src/b_codec.hpp": DECLARATIONS.replace("Soap", "Wire")}, 0, None),
    ("build directories are not read",
     {"provisioning/src/a.cpp": BODY_A, "provisioning/build/gen.cpp": BODY_B}, 0, None),
]


def main():
    return tree_cases.main(CHECK, CASES)


if __name__ == "__main__":
    sys.exit(main())
