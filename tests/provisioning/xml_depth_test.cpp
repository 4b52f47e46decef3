// The streaming XML depth check: tags count, comments/CDATA/PIs/quoted '>' do not, and the
// count carries across chunk boundaries.
#include "xml_depth.hpp"

#include <catch2/catch.hpp>

#include <string>

using sb::prov::XmlDepth;

namespace {

bool fits(const std::string& xml, unsigned max, std::size_t chunk = 1 << 20) {
    XmlDepth d;
    for (std::size_t i = 0; i < xml.size(); i += chunk) {
        if (!d.feed(xml.data() + i, std::min(chunk, xml.size() - i), max)) {
            return false;
        }
    }
    return true;
}

std::string nested(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += "<a x=\"1\">";
    }
    for (int i = 0; i < n; ++i) {
        s += "</a>";
    }
    return s;
}

} // namespace

TEST_CASE("depth is counted over tags", "[prov]") {
    CHECK(fits(nested(10), 10));
    CHECK_FALSE(fits(nested(11), 10));
    CHECK_FALSE(fits(nested(11), 10, 1)); // one byte at a time
    CHECK(fits("<a/><a/><a/>" + nested(10), 10));
    std::string siblings;
    for (int i = 0; i < 1000; ++i) {
        siblings += "<item>x</item>";
    }
    CHECK(fits("<r>" + siblings + "</r>", 2));
}

TEST_CASE("markup that is not an element does not count", "[prov]") {
    CHECK(fits("<?xml version=\"1.0\"?><a><!-- <b><c><d> --><![CDATA[<e><f>]]></a>", 1));
    CHECK(fits("<a t=\"<b><c>\" u='>'></a>", 1));
    CHECK_FALSE(fits("<!-- x --><a><b></b></a>", 1));
}
