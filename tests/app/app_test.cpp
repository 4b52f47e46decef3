// app: the command line (Program_options: values, --flag=value, booleans, stray words), the ini
// ([log], [metrics], [server] and refused values) and the generated credentials, which go into
// the data dir and never into the configuration file.
#include "cli.hpp"
#include "config.hpp"
#include "process.hpp"
#include "temp_dir.hpp"
#include "zones/journal.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace {

using namespace sb;

app::Args parse(std::vector<std::string> words) {
    std::vector<char*> argv;
    static char name[] = "switchboard";
    argv.push_back(name);
    for (auto& w : words) {
        argv.push_back(w.data());
    }
    return app::parse_args(static_cast<int>(argv.size()), argv.data());
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

} // namespace

TEST_CASE("cli: commands, words, valued and boolean flags", "[app]") {
    const auto a = parse({"zone", "import", "f.zone", "--data", "/d", "--zone=example.com", "-q"});
    CHECK(a.command == "zone");
    CHECK(a.words == std::vector<std::string>{"import", "f.zone"});
    CHECK(a.flags.at("data") == "/d");
    CHECK(a.flags.at("zone") == "example.com");
    CHECK(a.flags.at("quiet") == "1");
    CHECK_FALSE(a.flags.count("version"));
    CHECK(parse({"--version"}).flags.count("version"));
    CHECK(parse({"-V"}).flags.count("version"));
    CHECK(parse({"serve", "--debug"}).flags.count("debug"));
    CHECK_THROWS_WITH(parse({"serve", "--nope"}), Catch::Contains("nope"));
    CHECK_THROWS_WITH(parse({"serve", "--data"}), Catch::Contains("data"));
    CHECK_THROWS_WITH(parse({"serve", "extra"}), Catch::Contains("unexpected argument 'extra'"));
    // No abbreviations: --da is not --data.
    CHECK_THROWS(parse({"serve", "--da", "x"}));
}

TEST_CASE("config: [log], [metrics] and [server] keys, bad values refused", "[app]") {
    test::TempDir dir;
    const auto ini = dir.path() / "sb.ini";
    write(ini, "[log]\nlevel = debug\ntarget = journal\n[metrics]\nlisten = [::1]:9100\n"
               "[server]\nuser = switchboard\n");
    const auto c = app::load_config(ini);
    CHECK(c.log_level == log::Level::Debug);
    CHECK(c.log_target == log::Target::Journal);
    CHECK(c.metrics.address == "::1");
    CHECK(c.metrics.port == 9100);
    CHECK(c.server_user == "switchboard");
    CHECK(app::load_config(dir.path() / "none.ini").metrics.port == 0);
    write(ini, "[log]\nlevel = loud\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("[log] level"));
    write(ini, "[log]\ntarget = syslog\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("stderr or journal"));
    write(ini, "[metrics]\nlisten = 9100\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("[metrics] listen"));
}

TEST_CASE("config: [catalog] zone, off when absent, a bad name refused", "[app]") {
    test::TempDir dir;
    const auto ini = dir.path() / "sb.ini";
    CHECK_FALSE(app::load_config(dir.path() / "none.ini").catalog_zone);
    write(ini, "[catalog]\nzone = Catalog.Switchboard.INVALID.\n");
    CHECK(app::load_config(ini).catalog_zone == "catalog.switchboard.invalid");
    write(ini, "[catalog]\nzone = a..b\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("[catalog] zone"));
    write(ini, "[catalog]\nzone = .\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("root"));
}

TEST_CASE("config: [secondary] primaries, zones and catalog; zones need a primary", "[app]") {
    test::TempDir dir;
    const auto ini = dir.path() / "sb.ini";
    CHECK(app::load_config(dir.path() / "none.ini").secondary_primaries.empty());
    write(ini, "[secondary]\nprimaries = 192.0.2.1:53@k 192.0.2.2:5300\nzones = a.example "
               "b.example\ncatalog = cat.invalid\n");
    const auto c = app::load_config(ini);
    CHECK(c.secondary_primaries == std::vector<std::string>{"192.0.2.1:53@k", "192.0.2.2:5300"});
    CHECK(c.secondary_zones == std::vector<std::string>{"a.example", "b.example"});
    CHECK(c.secondary_catalog == "cat.invalid");
    write(ini, "[secondary]\nzones = a.example\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("[secondary] primaries"));
    write(ini, "[catalog]\nzone = cat.invalid\n[secondary]\nprimaries = 192.0.2.1:53\n"
               "catalog = Cat.Invalid\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("own [catalog] zone"));
}

TEST_CASE("config: [dns] journal_max_bytes, 1 MiB when absent, a bad value refused", "[app]") {
    test::TempDir dir;
    const auto ini = dir.path() / "sb.ini";
    CHECK(app::load_config(dir.path() / "none.ini").dns_journal_max_bytes ==
          zones::default_journal_max_bytes);
    write(ini, "[dns]\njournal_max_bytes = 65536\n");
    CHECK(app::load_config(ini).dns_journal_max_bytes == 65536);
    write(ini, "[dns]\njournal_max_bytes = lots\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("[dns] journal_max_bytes"));
}

TEST_CASE("config: [soap] prepaid_grace, 300 s when absent, a bad value refused", "[app]") {
    test::TempDir dir;
    const auto ini = dir.path() / "sb.ini";
    CHECK(app::load_config(dir.path() / "none.ini").soap_prepaid_grace == 300);
    write(ini, "[soap]\nprepaid_grace = 5\n");
    CHECK(app::load_config(ini).soap_prepaid_grace == 5);
    write(ini, "[soap]\nprepaid_grace = -1\n");
    CHECK_THROWS_WITH(app::load_config(ini), Catch::Contains("[soap] prepaid_grace"));
}

TEST_CASE("config: TSIG keys a server would refuse are found before it starts", "[app]") {
    CHECK(app::tsig_key_problem("k1:hmac-sha256:c2VjcmV0c2VjcmV0c2VjcmV0").empty());
    for (const char* alg : {"hmac-sha1", "hmac-sha384", "hmac-sha512"}) {
        CHECK(
            app::tsig_key_problem(std::string("k1:") + alg + ":c2VjcmV0c2VjcmV0c2VjcmV0").empty());
    }
    CHECK_THAT(app::tsig_key_problem("k1"), Catch::Contains("NAME:ALGORITHM:BASE64"));
    CHECK_THAT(app::tsig_key_problem("k1:hmac-md5:AAAA"), Catch::Contains("use hmac-sha256"));
    CHECK_THAT(app::tsig_key_problem("k1:hmac-sha256:a*b"), Catch::Contains("not base64"));
    test::TempDir dir;
    const auto ini = dir.path() / "sb.ini";
    write(ini, "[dns]\ntsig_key = good:hmac-sha256:AAAA bad:hmac-sha256:???\n");
    const auto c = app::load_config(ini);
    CHECK_THROWS_WITH(app::validate(c), Catch::Contains("tsig_key bad"));
}

TEST_CASE("config: generated credentials go into the data dir, the ini is untouched", "[app]") {
    test::TempDir dir;
    const auto ini = dir.path() / "switchboard.ini";
    write(ini, "[dns]\nnameservers = ns1.example.com\n");
    auto c = app::load_config(ini);
    REQUIRE(app::ensure_admin(c, dir.path()));
    CHECK(read(ini) == "[dns]\nnameservers = ns1.example.com\n");
    const auto creds = app::credentials_file(dir.path());

    struct stat st {};

    REQUIRE(::stat(creds.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(c.admin_username == "admin");
    CHECK(c.admin_password.size() == 24);
    // Next start: read back, nothing generated.
    auto again = app::load_config(ini);
    CHECK_FALSE(app::ensure_admin(again, dir.path()));
    CHECK(again.admin_password == c.admin_password);
    // [admin] in the ini wins and the file is not consulted.
    write(ini, "[admin]\nusername = root\npassword = secret\n");
    auto configured = app::load_config(ini);
    CHECK_FALSE(app::ensure_admin(configured, dir.path()));
    CHECK(configured.admin_password == "secret");
    // A damaged credentials file is an error that says what to do.
    write(creds, "[admin]\nusername = admin\n");
    auto damaged = app::load_config(dir.path() / "none.ini");
    CHECK_THROWS_WITH(app::ensure_admin(damaged, dir.path()), Catch::Contains("delete it"));
}

TEST_CASE("process: the data dir lock refuses a second holder of a role", "[app]") {
    test::TempDir dir;
    {
        const app::DataDirLock dns(dir.path(), "dns");
        CHECK_THROWS_WITH(app::DataDirLock(dir.path(), "dns"),
                          Catch::Contains("already serves DNS"));
        const app::DataDirLock soap(dir.path(), "soap"); // another role: allowed
        // zone import and compact hold the store lock while they run.
        const app::DataDirLock store(dir.path(), "store");
        CHECK_THROWS_WITH(app::DataDirLock(dir.path(), "store"),
                          Catch::Contains("imports into or compacts") &&
                              Catch::Contains("wait for it to finish"));
    }
    const app::DataDirLock again(dir.path(), "dns"); // released with its holder
}
