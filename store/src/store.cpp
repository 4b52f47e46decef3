#include "store/store.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <vector>

namespace sb::store {

namespace {

constexpr const char* table_names[] = {
    "meta",         "zones",         "records",      "records_by_zone", "records_by_owner",
    "dns_nodes",    "enum_ranges",   "enum_numbers", "customers",       "customer_names",
    "counters",     "journal",       "sip_domains",  "sip_accounts",    "sip_aliases",
    "sip_settings", "trusted_peers", "carriers",     "gateways",        "gateway_rules",
    "routes",       "voicemail",     "prepaid",      "call_data",       "index",
    "zone_marks",   "dnssec_chain"};
static_assert(std::size(table_names) == static_cast<unsigned>(Table::Count));

void check(int rc, const char* what) {
    if (rc != MDB_SUCCESS) {
        throw Error(what, rc);
    }
}

MDB_val to_val(std::string_view s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view from_val(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// LMDB has no zero-length keys (MDB_BAD_VALSIZE): the empty key — the DNS root's name key
// and zone name — is stored as one NUL byte, which sorts first as the empty key would and is
// no other table key (names have no empty labels). Cursors show it as stored ("\0").
MDB_val key_val(std::string_view key) {
    return key.empty() ? to_val(std::string_view("\0", 1)) : to_val(key);
}

std::optional<std::string_view> txn_get(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
    MDB_val k = key_val(key);
    MDB_val v;
    const int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        return std::nullopt;
    }
    check(rc, "mdb_get");
    return from_val(v);
}

constexpr std::string_view version_key = "schema_version";

} // namespace

Error::Error(const std::string& what, int rc)
    : std::runtime_error(what + ": " + mdb_strerror(rc))
    , rc_(rc) {}

bool Error::full() const noexcept {
    return rc_ == MDB_MAP_FULL || rc_ == ENOSPC || rc_ == EDQUOT;
}

// The open group of WriteTxns: its transaction, the child running in it, and the members whose
// children were merged into it and who wait for its commit.
struct Env::WriteGroup {
    std::mutex m;
    std::condition_variable cv;
    MDB_txn* txn = nullptr; // begun by the leader's thread, which alone may commit it
    bool child_active = false;
    bool closing = false; // the leader is committing: nobody joins
    unsigned waiting = 0; // writers waiting for their turn
    std::vector<WriteTxn*> members;
};

Env::Env(const std::filesystem::path& dir, Options options)
    : dir_(dir)
    , group_(std::make_unique<WriteGroup>()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    check(mdb_env_create(&env_), "mdb_env_create");
    try {
        check(mdb_env_set_maxdbs(env_, static_cast<unsigned>(Table::Count) + 8),
              "mdb_env_set_maxdbs");
        check(mdb_env_set_mapsize(env_, options.map_size), "mdb_env_set_mapsize");
        check(mdb_env_set_maxreaders(env_, options.max_readers), "mdb_env_set_maxreaders");
        // MDB_NOTLS: a read txn belongs to its object, not its thread. MDB_NORDAHEAD: lookups
        // are random, and pages read ahead would only swell the resident set.
        const unsigned flags = MDB_NOTLS | MDB_NORDAHEAD | (options.read_only ? MDB_RDONLY : 0u) |
                               (options.durable ? 0u : MDB_NOSYNC);
        check(mdb_env_open(env_, dir.c_str(), flags, 0600),
              ("cannot open store in " + dir.string()).c_str());

        MDB_txn* txn = nullptr;
        check(mdb_txn_begin(env_, nullptr, options.read_only ? MDB_RDONLY : 0, &txn),
              "mdb_txn_begin");
        try {
            for (unsigned i = 0; i < static_cast<unsigned>(Table::Count); ++i) {
                check(mdb_dbi_open(txn, table_names[i], options.read_only ? 0 : MDB_CREATE,
                                   &dbis_[i]),
                      table_names[i]);
            }
            const MDB_dbi meta = dbis_[static_cast<unsigned>(Table::Meta)];
            const auto stored = txn_get(txn, meta, version_key);
            if (!stored) {
                if (options.read_only) {
                    throw std::runtime_error("store in " + dir.string() + " is not initialised");
                }
                std::string v;
                put_u32(v, schema_version);
                MDB_val k = to_val(version_key), val = to_val(v);
                check(mdb_put(txn, meta, &k, &val, 0), "mdb_put schema_version");
            } else if (stored->size() != 4 || get_u32(*stored, 0) != schema_version) {
                const auto found = stored->size() == 4 ? get_u32(*stored, 0) : 0;
                throw std::runtime_error("store in " + dir.string() + " has schema version " +
                                         std::to_string(found) + ", this build reads version " +
                                         std::to_string(schema_version) +
                                         ": use the matching switchboard version");
            }
            check(mdb_txn_commit(txn), "mdb_txn_commit");
        } catch (...) {
            mdb_txn_abort(txn);
            throw;
        }
    } catch (...) {
        mdb_env_close(env_);
        throw;
    }
}

Env::~Env() {
    mdb_env_close(env_);
}

void Env::copy_to(const std::filesystem::path& target) const {
    std::filesystem::create_directories(target);
    if (std::filesystem::exists(target / "data.mdb")) {
        throw std::runtime_error(target.string() +
                                 " already holds a store; give an empty directory");
    }
    check(mdb_env_copy2(env_, target.c_str(), MDB_CP_COMPACT),
          ("cannot copy the store to " + target.string()).c_str());
}

void Env::repack(Table t) {
    // The old tree stays readable through `old` while the new one is appended: its pages
    // cannot be reused by this txn, so the new pages come, in order, from the end of the file.
    ReadTxn old(*this);
    WriteTxn txn(*this);
    const MDB_dbi dbi = this->dbi(t);
    check(mdb_drop(txn.handle(), dbi, 0), "mdb_drop");
    Cursor c = old.cursor(t);
    for (bool ok = c.first(); ok; ok = c.next()) {
        MDB_val k = to_val(c.key()), v = to_val(c.value());
        check(mdb_put(txn.handle(), dbi, &k, &v, MDB_APPEND), "mdb_put (repack)");
    }
    txn.commit();
}

// ---- ReadTxn ----

ReadTxn::ReadTxn(const Env& env)
    : env_(&env) {
    check(mdb_txn_begin(env.handle(), nullptr, MDB_RDONLY, &txn_), "mdb_txn_begin (read)");
}

ReadTxn::~ReadTxn() {
    if (txn_ != nullptr) {
        mdb_txn_abort(txn_);
    }
}

ReadTxn::ReadTxn(ReadTxn&& other) noexcept
    : env_(other.env_)
    , txn_(std::exchange(other.txn_, nullptr)) {}

std::optional<std::string_view> ReadTxn::get(Table t, std::string_view key) const {
    return txn_get(txn_, env_->dbi(t), key);
}

Cursor ReadTxn::cursor(Table t) const {
    return Cursor(txn_, env_->dbi(t));
}

void ReadTxn::reset() noexcept {
    mdb_txn_reset(txn_);
}

void ReadTxn::renew() {
    check(mdb_txn_renew(txn_), "mdb_txn_renew");
}

// ---- WriteTxn ----

WriteTxn::WriteTxn(Env& env)
    : env_(&env) {
    Env::WriteGroup& g = *env.group_;
    std::unique_lock lock(g.m);
    ++g.waiting;
    g.cv.wait(lock, [&] { return !g.child_active && !g.closing; });
    --g.waiting;
    g.child_active = true; // this thread's turn, until its child ends
    MDB_txn* parent = g.txn;
    lock.unlock();
    // LMDB's writer lock is taken with the group's mutex released: a leader holds the former
    // while it takes the latter.
    int rc = MDB_SUCCESS;
    if (parent == nullptr) {
        rc = mdb_txn_begin(env.handle(), nullptr, 0, &parent);
        if (rc == MDB_SUCCESS) {
            leader_ = true;
            lock.lock();
            g.txn = parent;
            lock.unlock();
        }
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_txn_begin(env.handle(), parent, 0, &txn_);
    }
    if (rc != MDB_SUCCESS) {
        txn_ = nullptr;
        lock.lock();
        g.child_active = false;
        lock.unlock();
        g.cv.notify_all();
        if (leader_) {
            finish_group();
        }
        check(rc, "mdb_txn_begin (write)");
    }
}

WriteTxn::~WriteTxn() {
    if (txn_ == nullptr) {
        return; // committed
    }
    mdb_txn_abort(txn_);
    Env::WriteGroup& g = *env_->group_;
    {
        const std::lock_guard lock(g.m);
        g.child_active = false;
    }
    g.cv.notify_all();
    if (leader_) {
        finish_group();
    }
}

void WriteTxn::finish_group() noexcept {
    Env::WriteGroup& g = *env_->group_;
    std::unique_lock lock(g.m);
    // Let the writers already waiting add their children, then close the group.
    g.cv.wait(lock,
              [&] { return !g.child_active && (g.waiting == 0 || g.members.size() >= max_group); });
    g.closing = true;
    MDB_txn* txn = std::exchange(g.txn, nullptr);
    std::vector<WriteTxn*> members = std::move(g.members);
    g.members.clear();
    lock.unlock();
    int rc = MDB_SUCCESS;
    if (members.empty()) {
        mdb_txn_abort(txn);
    } else {
        rc = mdb_txn_commit(txn); // with its flushes, unless the store is not durable
    }
    lock.lock();
    for (WriteTxn* m : members) {
        m->group_rc_ = rc;
        m->group_done_ = true;
    }
    g.closing = false;
    lock.unlock();
    g.cv.notify_all();
}

std::optional<std::string_view> WriteTxn::get(Table t, std::string_view key) const {
    return txn_get(txn_, env_->dbi(t), key);
}

void WriteTxn::put(Table t, std::string_view key, std::string_view value) {
    MDB_val k = key_val(key), v = to_val(value);
    check(mdb_put(txn_, env_->dbi(t), &k, &v, 0), "mdb_put");
}

bool WriteTxn::del(Table t, std::string_view key) {
    MDB_val k = key_val(key);
    const int rc = mdb_del(txn_, env_->dbi(t), &k, nullptr);
    if (rc == MDB_NOTFOUND) {
        return false;
    }
    check(rc, "mdb_del");
    return true;
}

Cursor WriteTxn::cursor(Table t) const {
    return Cursor(txn_, env_->dbi(t));
}

void WriteTxn::commit() {
    // Merges into the group's transaction (no I/O); freed by LMDB either way.
    const int rc = mdb_txn_commit(std::exchange(txn_, nullptr));
    Env::WriteGroup& g = *env_->group_;
    {
        const std::lock_guard lock(g.m);
        g.child_active = false;
        if (rc == MDB_SUCCESS) {
            g.members.push_back(this);
        }
    }
    g.cv.notify_all();
    if (leader_) {
        finish_group();
    } else if (rc == MDB_SUCCESS) {
        std::unique_lock lock(g.m);
        g.cv.wait(lock, [&] { return group_done_; });
    }
    check(rc, "mdb_txn_commit (child)");
    check(group_rc_, "mdb_txn_commit");
}

std::uint64_t WriteTxn::next_id(std::string_view kind) {
    const std::string key = "next:" + std::string(kind);
    std::uint64_t next = 1;
    if (const auto v = get(Table::Meta, key); v && v->size() == 8) {
        next = get_u64(*v, 0);
    }
    put(Table::Meta, key, u64_key(next + 1));
    return next;
}

// ---- Cursor ----

Cursor::Cursor(MDB_txn* txn, MDB_dbi dbi) {
    check(mdb_cursor_open(txn, dbi, &cur_), "mdb_cursor_open");
}

Cursor::~Cursor() {
    if (cur_ != nullptr) {
        mdb_cursor_close(cur_);
    }
}

Cursor::Cursor(Cursor&& other) noexcept
    : cur_(std::exchange(other.cur_, nullptr))
    , valid_(other.valid_)
    , key_(other.key_)
    , value_(other.value_) {}

bool Cursor::move(MDB_cursor_op op, std::string_view key) {
    MDB_val k = to_val(key), v{};
    const int rc = mdb_cursor_get(cur_, &k, &v, op);
    if (rc == MDB_NOTFOUND) {
        valid_ = false;
        return false;
    }
    check(rc, "mdb_cursor_get");
    key_ = from_val(k);
    value_ = from_val(v);
    valid_ = true;
    return true;
}

bool Cursor::seek(std::string_view key) {
    if (key.empty()) {
        return first(); // LMDB refuses zero-length keys with SET_RANGE
    }
    return move(MDB_SET_RANGE, key);
}

bool Cursor::first() {
    return move(MDB_FIRST);
}

bool Cursor::last() {
    return move(MDB_LAST);
}

bool Cursor::next() {
    return move(MDB_NEXT);
}

bool Cursor::prev() {
    return move(MDB_PREV);
}

void Cursor::renew(const ReadTxn& txn) {
    check(mdb_cursor_renew(txn.handle(), cur_), "mdb_cursor_renew");
    valid_ = false;
}

// ---- codecs ----

void put_u16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

void put_u32(std::string& out, std::uint32_t v) {
    put_u16(out, static_cast<std::uint16_t>(v >> 16));
    put_u16(out, static_cast<std::uint16_t>(v));
}

void put_u64(std::string& out, std::uint64_t v) {
    put_u32(out, static_cast<std::uint32_t>(v >> 32));
    put_u32(out, static_cast<std::uint32_t>(v));
}

std::uint16_t get_u16(std::string_view in, std::size_t pos) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(in[pos]) << 8) |
                                      static_cast<unsigned char>(in[pos + 1]));
}

std::uint32_t get_u32(std::string_view in, std::size_t pos) noexcept {
    return (std::uint32_t{get_u16(in, pos)} << 16) | get_u16(in, pos + 2);
}

std::uint64_t get_u64(std::string_view in, std::size_t pos) noexcept {
    return (std::uint64_t{get_u32(in, pos)} << 32) | get_u32(in, pos + 4);
}

std::string u64_key(std::uint64_t v) {
    std::string s;
    put_u64(s, v);
    return s;
}

std::string_view Reader::take(std::size_t n) {
    if (data_.size() - pos_ < n) {
        throw Error("truncated value in store", MDB_CORRUPTED);
    }
    auto s = data_.substr(pos_, n);
    pos_ += n;
    return s;
}

std::uint8_t Reader::u8() {
    return static_cast<std::uint8_t>(take(1)[0]);
}

std::uint16_t Reader::u16() {
    return get_u16(take(2), 0);
}

std::uint32_t Reader::u32() {
    return get_u32(take(4), 0);
}

std::uint64_t Reader::u64() {
    return get_u64(take(8), 0);
}

double Reader::f64() {
    const std::uint64_t bits = u64();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

std::string_view Reader::str() {
    return take(u32());
}

void Writer::f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
}

void Writer::str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
}

} // namespace sb::store
