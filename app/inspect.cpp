#include "inspect.hpp"

#include "config.hpp"
#include "store/store.hpp"
#include "store/tables.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>

namespace sb::app {

namespace {

namespace fs = std::filesystem;

class Report {
public:
    explicit Report(bool quiet)
        : quiet_(quiet) {}

    void ok(const std::string& what) {
        if (!quiet_) {
            std::cout << "ok: " << what << "\n";
        }
    }

    void warning(const std::string& what) { std::cout << "warning: " << what << "\n"; }

    void error(const std::string& what) {
        std::cout << "error: " << what << "\n";
        ++errors_;
    }

    int errors() const noexcept { return errors_; }

private:
    bool quiet_;
    int errors_ = 0;
};

std::string utc(std::time_t t) {
    char text[32];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

void check_tsig_key(const std::string& spec, Report& r) {
    if (auto problem = tsig_key_problem(spec); !problem.empty()) {
        r.error(problem);
    } else {
        r.ok("TSIG key " + spec.substr(0, spec.find(':')) + " (hmac-sha256)");
    }
}

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

using File = std::unique_ptr<std::FILE, FileCloser>;

void check_tls(const Config& c, Report& r) {
    if (c.soap_certificate.empty() && c.soap_key.empty()) {
        r.ok("SOAP over plain HTTP (no [soap] certificate)");
        return;
    }
    if (c.soap_certificate.empty() || c.soap_key.empty()) {
        r.error("[soap] certificate and key go together: set both PEM files, or neither");
        return;
    }
    const File cert_file(std::fopen(c.soap_certificate.c_str(), "r"));
    if (!cert_file) {
        r.error("[soap] certificate " + c.soap_certificate + ": cannot be read");
        return;
    }
    const std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr), X509_free);
    if (!cert) {
        r.error("[soap] certificate " + c.soap_certificate + ": no PEM certificate in it");
        return;
    }
    const File key_file(std::fopen(c.soap_key.c_str(), "r"));
    if (!key_file) {
        r.error("[soap] key " + c.soap_key + ": cannot be read");
        return;
    }
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_PrivateKey(key_file.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    if (!key) {
        r.error("[soap] key " + c.soap_key + ": no unencrypted PEM private key in it");
        return;
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        r.error("[soap] key " + c.soap_key + " does not belong to the certificate " +
                c.soap_certificate);
        return;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0) {
        r.error("[soap] certificate " + c.soap_certificate + " has expired: renew it");
        return;
    }
    std::time_t soon = std::time(nullptr) + 30 * 86400;
    if (X509_cmp_time(X509_get0_notAfter(cert.get()), &soon) <= 0) {
        r.warning("[soap] certificate " + c.soap_certificate + " expires within 30 days");
    }
    if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
        r.error("[soap] certificate " + c.soap_certificate + " is not valid yet");
        return;
    }
    r.ok("TLS certificate " + c.soap_certificate + " and key match");
}

void check_store(const fs::path& data, Report& r) {
    if (!fs::exists(data / "data.mdb")) {
        r.ok("no store in " + data.string() + " yet: the first start creates it");
        return;
    }
    try {
        store::Options o;
        o.read_only = true;
        const store::Env env(data, o);
        const store::ReadTxn txn(env);
        std::size_t zones = 0;
        auto c = txn.cursor(store::Table::Zones);
        for (bool more = c.first(); more; more = c.next()) {
            ++zones;
        }
        r.ok("store schema version " + std::to_string(store::schema_version) + ", " +
             std::to_string(zones) + " zone(s)");
    } catch (const std::exception& e) {
        r.error(std::string("store: ") + e.what());
    }
}

} // namespace

int check_command(const std::map<std::string, std::string>& flags) {
    Report r(flags.count("quiet") != 0);
    const fs::path data = data_dir(flags);
    Config c;
    try {
        c = load_config(flags);
        if (fs::exists(c.file)) {
            r.ok("configuration " + c.file.string());
        } else {
            r.ok("no configuration file at " + c.file.string() + ": every key has its default");
        }
    } catch (const std::exception& e) {
        r.error(e.what());
        std::cout << "1 error\n";
        return 1;
    }
    if (!fs::is_directory(data)) {
        r.ok("data dir " + data.string() + " does not exist yet: the first start creates it");
    } else if (::access(data.c_str(), W_OK) != 0) {
        r.error("data dir " + data.string() + " is not writable by this user");
    } else {
        r.ok("data dir " + data.string());
    }
    if (!c.admin_username.empty() && !c.admin_password.empty()) {
        r.ok("administrator " + c.admin_username + " from the configuration");
    } else if (fs::exists(credentials_file(data))) {
        r.ok("administrator from " + credentials_file(data).string());
    } else {
        r.ok("no administrator configured: the first start generates one into " +
             credentials_file(data).string());
    }
    if (c.default_nameservers.empty()) {
        r.warning("[dns] nameservers is empty: addZone and addRange without nameservers will be "
                  "refused; set the name servers new zones get");
    } else {
        r.ok("[dns] nameservers for new zones");
    }
    for (const auto& k : c.dns_tsig_keys) {
        check_tsig_key(k, r);
    }
    check_tls(c, r);
    if (!c.server_user.empty()) {
        if (::getpwnam(c.server_user.c_str()) == nullptr) {
            r.error("[server] user " + c.server_user +
                    " does not exist: create it (adduser --system " + c.server_user + ")");
        } else {
            r.ok("[server] user " + c.server_user);
        }
    }
    check_store(data, r);
    if (r.errors() > 0) {
        std::cout << r.errors() << " error(s)\n";
        return 1;
    }
    return 0;
}

int status_command(const std::map<std::string, std::string>& flags) {
    const fs::path data = data_dir(flags);
    const fs::path file = data / "data.mdb";
    if (!fs::exists(file)) {
        std::cerr << "switchboard: " << data.string() << " holds no store (start a server on it)\n";
        return 1;
    }
    store::Options o;
    o.read_only = true;
    const store::Env env(data, o);
    const store::Stats info = env.stats();

    struct stat st {};

    ::stat(file.c_str(), &st);
    const double used = static_cast<double>(info.used_bytes);
    std::cout << "store        " << file.string() << "\n"
              << "size         " << st.st_size << " bytes (" << static_cast<long long>(used)
              << " in use, map " << info.map_bytes << ")\n"
              << "last commit  " << utc(st.st_mtim.tv_sec) << " (transaction " << info.last_txn_id
              << ")\n"
              << "schema       version " << store::schema_version << "\n";
    const store::ReadTxn txn(env);
    std::size_t n = 0;
    std::string lines;
    auto c = txn.cursor(store::Table::Zones);
    for (bool more = c.first(); more; more = c.next()) {
        const auto z = store::decode_zone(c.value());
        char line[512];
        std::snprintf(line, sizeof line, "  %-40s %-5s %10u  %s\n", z.name.c_str(),
                      z.kind == store::ZoneKind::Enum ? "enum" : "dns", z.serial,
                      z.change_date > 0 ? utc(z.change_date).c_str() : "-");
        lines += line;
        ++n;
    }
    std::cout << "zones        " << n << "\n";
    if (n > 0) {
        char header[128];
        std::snprintf(header, sizeof header, "  %-40s %-5s %10s  %s\n", "zone", "kind", "serial",
                      "changed");
        std::cout << header << lines;
    }
    return 0;
}

} // namespace sb::app
