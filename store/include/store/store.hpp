// sb::store — RAII over one LMDB environment: Env, ReadTxn, WriteTxn, Cursor, typed tables.
// Values returned by get()/Cursor are views into the memory map, valid until the transaction
// that produced them ends (commit, abort, reset) — copy what must live longer.
#pragma once

#include <lmdb.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sb::store {

// Something that should never happen (I/O error, map full, corruption): operation + mdb_strerror.
class Error : public std::runtime_error {
public:
    Error(const std::string& what, int rc);

    int code() const noexcept { return rc_; }

    // The map or the disk is full: the operation was rolled back and can be retried once
    // space is made.
    bool full() const noexcept;

private:
    int rc_;
};

// Every named sub-database. Append only: the position is not stored, but keep the names stable.
enum class Table : unsigned {
    Meta,           // "schema_version" → u32; "next:<kind>" → u64 id counters
    Zones,          // zone name (canonical text) → zone entity (provisioning codec)
    Records,        // u64 id → DNS record entity
    RecordsByZone,  // zone name '\0' u64 id → ""
    RecordsByOwner, // owner name key (zones::name_key) u64 id → ""
    DnsNodes,       // owner name key → compiled node (zones/node.hpp), read by dnsd
    EnumRanges,     // tld '\0' prefix → ENUM range entity
    EnumNumbers,    // owner name key of the number (e164 name) → ENUM number entity
    Customers,      // u64 id → customer entity
    CustomerNames,  // username → u64 id
    Counters,       // 'c'|'r' u64 customer/reseller id, kind → u64 number of records
    Journal,        // zone changes for IXFR (zones/ owns the format)
    SipDomains,     // SIP provisioning (provisioning/ owns these formats)
    SipAccounts,
    SipAliases,
    SipSettings,
    TrustedPeers,
    Carriers,
    Gateways,
    GatewayRules,
    Routes,
    Voicemail,
    Prepaid,
    CallData,    // registrations and call records: their own retention
    Index,       // secondary indexes of the SIP tables: index name '\0' key → ""
    ZoneMarks,   // owner name key of every apex, zone cut and wildcard → u8 zones::NodeFlag bits;
                 // Meta "zone_marks" → u64, bumped with every change (zones/zone_index.hpp)
    DnssecChain, // zone key '\0' 'n' owner key below the zone (NSEC owners) and zone key '\0'
                 // '3' first label (NSEC3 owners, so hash order) → "" (zones/dnssec.hpp)
    Count
};

constexpr std::uint32_t schema_version = 3; // 2: ZoneMarks, 3: DnssecChain

struct Options {
    std::size_t map_size = std::size_t{64} << 30; // virtual; the file grows as data does
    unsigned max_readers = 510;
    bool read_only = false;
    // false: commits are not flushed to disk (MDB_NOSYNC) — for bulk loads in tests and
    // benchmarks only; a crash may lose the latest commits.
    bool durable = true;
};

class WriteTxn;

// One per data dir per process. Opens (creating if needed) every Table and checks the schema
// version: a store written by another version is refused with a clear Error.
class Env {
public:
    explicit Env(const std::filesystem::path& dir, Options options = {});
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    MDB_env* handle() const noexcept { return env_; }

    MDB_dbi dbi(Table t) const noexcept { return dbis_[static_cast<unsigned>(t)]; }

    const std::filesystem::path& dir() const noexcept { return dir_; }

    // A consistent, compacted copy of the whole store into the empty directory `target`,
    // taken from one read snapshot while writers go on (mdb_env_copy2, MDB_CP_COMPACT).
    void copy_to(const std::filesystem::path& target) const;

    // Rewrites table `t` in key order in one write transaction (MDB_APPEND): every page full
    // and the pages adjacent in the file. B-tree pages filled by random inserts are about two
    // thirds full; a reader of the whole table then touches half as many pages again. The old
    // pages return to the free list. Safe while serving: other writers wait for it.
    void repack(Table t);

    // Runs `op` in one write transaction and commits it: the one way provisioning writes.
    // Returns what `op` returns once the change is durable; an exception thrown by `op` aborts
    // the transaction and reaches the caller, changing nothing.
    template <class Op>
    std::invoke_result_t<Op&, WriteTxn&> write(Op&& op);

    struct WriteGroup; // group commit of WriteTxns (store.cpp)

private:
    friend class WriteTxn;
    std::filesystem::path dir_;
    MDB_env* env_ = nullptr;
    std::unique_ptr<WriteGroup> group_;
    std::array<MDB_dbi, static_cast<unsigned>(Table::Count)> dbis_{};
};

class Cursor;

// A read snapshot. reset() releases the snapshot but keeps the handle; renew() takes a new one,
// so a worker can see every commit without allocating a transaction per batch.
class ReadTxn {
public:
    explicit ReadTxn(const Env& env);
    ~ReadTxn();
    ReadTxn(ReadTxn&& other) noexcept;
    ReadTxn& operator=(ReadTxn&&) = delete;
    ReadTxn(const ReadTxn&) = delete;

    std::optional<std::string_view> get(Table t, std::string_view key) const;
    Cursor cursor(Table t) const;
    void reset() noexcept;
    void renew();

    MDB_txn* handle() const noexcept { return txn_; }

    const Env& env() const noexcept { return *env_; }

private:
    const Env* env_;
    MDB_txn* txn_ = nullptr;
};

// The one write transaction of a provisioning operation. Aborted by the destructor unless
// commit() succeeded. Cursors opened on it must be destroyed before commit().
//
// Group commit: the write transactions of concurrent threads run one after another as child
// transactions of one LMDB transaction, which the first of them (the leader) commits, with
// its flushes to disk, once no other writer waits (at most max_group children). commit()
// returns when the group is durable, and throws when it is not: one flush acknowledges many
// operations, and no operation is acknowledged before it is on disk.
class WriteTxn {
public:
    explicit WriteTxn(Env& env);
    ~WriteTxn();
    WriteTxn(const WriteTxn&) = delete;
    WriteTxn& operator=(const WriteTxn&) = delete;

    // The empty key (the DNS root) is stored as "\0"; a cursor shows it that way.
    std::optional<std::string_view> get(Table t, std::string_view key) const;
    void put(Table t, std::string_view key, std::string_view value);
    bool del(Table t, std::string_view key); // false when the key was absent
    Cursor cursor(Table t) const;
    void commit();
    // Next value of a named counter kept in Meta (starts at 1).
    std::uint64_t next_id(std::string_view kind);

    MDB_txn* handle() const noexcept { return txn_; }

    const Env& env() const noexcept { return *env_; }

    static constexpr std::size_t max_group = 64;

private:
    void finish_group() noexcept;

    Env* env_;
    MDB_txn* txn_ = nullptr; // a child of the group's transaction
    bool leader_ = false;    // began the group's transaction, and commits it
    int group_rc_ = 0;       // the group's commit, for its members
    bool group_done_ = false;
};

template <class Op>
std::invoke_result_t<Op&, WriteTxn&> Env::write(Op&& op) {
    WriteTxn txn(*this);
    if constexpr (std::is_void_v<std::invoke_result_t<Op&, WriteTxn&>>) {
        op(txn);
        txn.commit();
    } else {
        auto result = op(txn);
        txn.commit();
        return result;
    }
}

// A position in one table. Views it returns live as long as the transaction.
class Cursor {
public:
    Cursor(MDB_txn* txn, MDB_dbi dbi);
    ~Cursor();
    Cursor(Cursor&& other) noexcept;
    Cursor& operator=(Cursor&&) = delete;
    Cursor(const Cursor&) = delete;

    bool seek(std::string_view key); // first entry with key >= `key`
    bool first();
    bool last();
    bool next();
    bool prev();

    bool valid() const noexcept { return valid_; }

    std::string_view key() const noexcept { return key_; }

    std::string_view value() const noexcept { return value_; }

    // Re-bind a cursor of a read-only txn after ReadTxn::renew().
    void renew(const ReadTxn& txn);

private:
    bool move(MDB_cursor_op op, std::string_view key = {});
    MDB_cursor* cur_ = nullptr;
    bool valid_ = false;
    std::string_view key_, value_;
};

// Big-endian integer codecs: keys built with them sort numerically.
void put_u16(std::string& out, std::uint16_t v);
void put_u32(std::string& out, std::uint32_t v);
void put_u64(std::string& out, std::uint64_t v);
std::uint16_t get_u16(std::string_view in, std::size_t pos) noexcept;
std::uint32_t get_u32(std::string_view in, std::size_t pos) noexcept;
std::uint64_t get_u64(std::string_view in, std::size_t pos) noexcept;
std::string u64_key(std::uint64_t v);

// Length-checked reader for entity codecs; throws Error on a short or malformed value.
class Reader {
public:
    explicit Reader(std::string_view data)
        : data_(data) {}

    std::uint8_t u8();
    std::uint16_t u16();
    std::uint32_t u32();
    std::uint64_t u64();

    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }

    double f64();
    std::string_view str(); // u32 length + bytes

    bool done() const noexcept { return pos_ == data_.size(); }

private:
    std::string_view take(std::size_t n);
    std::string_view data_;
    std::size_t pos_ = 0;
};

// Writer counterpart of Reader.
class Writer {
public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }

    void u16(std::uint16_t v) { put_u16(out_, v); }

    void u32(std::uint32_t v) { put_u32(out_, v); }

    void u64(std::uint64_t v) { put_u64(out_, v); }

    void i64(std::int64_t v) { put_u64(out_, static_cast<std::uint64_t>(v)); }

    void f64(double v);
    void str(std::string_view s);

    std::string& bytes() noexcept { return out_; }

private:
    std::string out_;
};

} // namespace sb::store
