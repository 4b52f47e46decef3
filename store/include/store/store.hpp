// sb::store — RAII over one LMDB environment: Env, ReadTxn, WriteTxn, Cursor, typed tables.
// Values returned by get()/Cursor are views into the memory map, valid until the transaction
// that produced them ends (commit, abort, reset) — copy what must live longer.
// LMDB itself stays in src/store.cpp: the handles below are opaque.
#pragma once

#include <array>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sb::store {

// Something that should never happen (I/O error, map full, corruption): operation + the
// store's error text.
class Error : public std::runtime_error {
public:
    Error(const std::string& what, int rc);

    // A stored value that fails its own check (the store's "corrupted" code).
    [[nodiscard]] static Error corrupted(const std::string& what);

    [[nodiscard]] int code() const noexcept { return rc_; }

    // The map or the disk is full: the operation was rolled back and can be retried once
    // space is made.
    [[nodiscard]] bool full() const noexcept;

private:
    int rc_;
};

// Every named sub-database. Append only: the position is not stored, but keep the names stable.
enum class Table : unsigned {
    Meta,           // "schema_version" → u32; "next:<kind>" → u64 id counters
    Zones,          // zone name (canonical text) → zone entity (provisioning codec)
    Records,        // u64 id → DNS record entity, slim: its rdata is in the owner's node
    RecordsByOwner, // owner name key (zones::name_key) → the ids of its records, only for an
                    // owner without a node (a node holds its owner's ids, zones/node.hpp)
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
    DnssecChain, // zone '\0' 'n' owner below the zone (NSEC owners) → ""; zone '\0' '3' first
                 // label (NSEC3 owners, hash order) → the owner's node or "" (zones/dnssec.hpp)
    DnssecKeys,  // zone name '\0' u64 key id → a signing key, private part included
                 // (zones/signer.hpp); the store file is mode 0600, the server user's
    Count
};

// 2: ZoneMarks, 3: DnssecChain, 4: slim ENUM number rows (the NAPTRs live only in the node),
// varint record rows and journal byte counts, 5: DnssecKeys, 6: slim record rows (the rdata
// lives only in the node), no RecordsByZone, 7: an owner's record ids end its node
// (RecordsByOwner only for an owner without one) after the parent side of a child zone's
// apex (dns_nodes format 2), 8: enum_numbers rows without the number and tld (the key's).
constexpr std::uint32_t schema_version = 9;

struct Options {
    std::size_t map_size = std::size_t{64} << 30; // virtual; the file grows as data does
    unsigned max_readers = 510;
    bool read_only = false;
    // false: commits are not flushed to disk (no fsync) — for bulk loads in tests and
    // benchmarks only; a crash may lose the latest commits.
    bool durable = true;
    // The writer repacks a table (Env::repack) that grew by a quarter since it last looked and
    // whose leaf pages are less than three quarters full, when it has been idle for a second
    // and when the Env closes; then it gives the old pages' blocks back (release_free_pages).
    // Inserts in key order in front of other keys leave LMDB's pages half full (docs/decisions.md
    // "A bulk load leaves the store packed"). false: only an explicit repack/compact does.
    bool auto_repack = true;
};

// What `switchboard inspect` and the metrics page show of the store.
struct Stats {
    std::uint64_t map_bytes = 0;   // size of the memory map
    std::uint64_t used_bytes = 0;  // pages in use (up to the last one), in bytes
    std::uint64_t last_txn_id = 0; // id of the last committed write transaction
};

// Of one table in one snapshot (tests and repack).
struct TableStats {
    std::uint64_t entries = 0;
    std::uint64_t leaf_pages = 0;
};

// Opaque LMDB handles, defined only in src/store.cpp.
struct EnvHandle;
struct TxnHandle;
struct CursorHandle;

class WriteTxn;
class ReadTxn;
class Cursor;

namespace detail {

// One queued write: lives in the frame of the caller of Env::write, who blocks until `done`.
struct WriteJob {
    void (*run)(WriteJob& job, WriteTxn& txn) = nullptr; // calls the caller's op
    std::exception_ptr error;                            // what the op or the commit threw
    WriteJob* next = nullptr;                            // the writer's queue (intrusive)
    bool done = false;                                   // set by the writer, under its mutex
    bool alone = false; // runs in a batch of its own, after what was queued before (repack)
};

// The cursors open on one transaction, so that the transaction closes them when it ends.
struct CursorList {
    Cursor* head = nullptr;
    unsigned generation = 0; // bumped by ReadTxn::reset(): cursors opened before are stale
    void close_all() noexcept;
};

} // namespace detail

// One per data dir per process. Opens (creating if needed) every Table and checks the schema
// version: a store written by another version is refused with a clear Error.
//
// A read-write Env runs one writer thread, the only thread that writes to LMDB (its documentation:
// "A transaction and its cursors must only be used by a single thread"). It starts with the Env and
// stops in ~Env once its queue is drained.
class Env {
public:
    explicit Env(const std::filesystem::path& dir, Options options = {});
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

    [[nodiscard]] Stats stats() const;

    // Flushes commits made with Options::durable = false.
    void sync();

    // Maps the store's data into this process (the file's data extents, holes skipped: read
    // ahead, then MADV_POPULATE_READ, 1 MiB at a time) until done or `stop` is requested, so
    // that no lookup waits on the disk for a page and no page the process maps is taken back
    // as unused cache. Returns the bytes mapped; stops at 0 when the kernel cannot (before
    // Linux 5.14). dnsd runs it on a thread of its own at start.
    std::uint64_t populate(std::stop_token stop) const;

    // A consistent, compacted copy of the whole store into the empty directory `target`,
    // taken from one read snapshot while writers go on.
    void copy_to(const std::filesystem::path& target) const;

    // Rewrites table `t` in key order in one write (appending): every page full and the pages
    // adjacent in the file. B-tree pages filled by random inserts are about two thirds full; a
    // reader of the whole table then touches half as many pages again. The old pages return to
    // the free list. Safe while serving: it is one more op of the writer.
    void repack(Table t);

    // Gives the blocks of the free pages no reader can still see back to the file system
    // (fallocate PUNCH_HOLE: the file keeps its length, `du` drops), holding LMDB's write lock
    // meanwhile, so no writer of any process reuses one while it is punched; no reader reads a
    // free page. Safe while serving, from any process on the data dir. Pages freed by the last
    // commit wait for the next one (LMDB's own rule for reusing them). Returns the bytes of
    // blocks the file gave back.
    std::uint64_t release_free_pages();

    // Runs `op` on the writer thread in a transaction of its own (a child of the batch's
    // transaction) and blocks until the batch is committed and flushed. Returns what `op`
    // returned; an exception thrown by `op` aborts its transaction only (nothing of it is
    // written) and is rethrown here; a failed batch commit throws Error. Calling write() from
    // inside an op throws Error (it would wait for itself). No heap allocation: the job lives
    // in this frame.
    template <class Op>
    std::invoke_result_t<Op&, WriteTxn&> write(Op&& op);

    // Most ops one batch takes from the queue: one commit (and flush) acknowledges them all.
    static constexpr std::size_t max_batch = 64;

    // Batches committed by the writer since the Env opened, and ops queued but not yet
    // taken by the writer (tests watch them).
    [[nodiscard]] std::uint64_t batches_committed() const noexcept;
    [[nodiscard]] std::size_t queued_writes() const noexcept;
    // Tables the writer repacked by itself (Options::auto_repack) since the Env opened.
    [[nodiscard]] std::uint64_t auto_repacks() const noexcept;

    struct Writer; // the writer thread and its queue (store.cpp)

private:
    friend class ReadTxn;
    friend class WriteTxn;
    void submit(detail::WriteJob& job); // blocks until the job is done; rethrows its error
    // The ops behind repack() and release_free_pages() (compact.cpp), which the writer also
    // runs by itself (Options::auto_repack).
    static void rewrite_in_key_order(WriteTxn& txn, Table t);
    static std::uint64_t punch_free_pages(WriteTxn& txn);

    std::filesystem::path dir_;
    EnvHandle* env_ = nullptr;
    std::array<unsigned, static_cast<unsigned>(Table::Count)> dbis_{};
    std::unique_ptr<Writer> writer_; // null for a read-only Env
};

// A read snapshot. reset() releases the snapshot but keeps the handle; renew() takes a new one,
// so a worker can see every commit without allocating a transaction per batch. Not movable:
// its cursors point to it.
class ReadTxn {
public:
    explicit ReadTxn(const Env& env);
    ~ReadTxn();
    ReadTxn(ReadTxn&&) = delete;
    ReadTxn& operator=(ReadTxn&&) = delete;

    [[nodiscard]] std::optional<std::string_view> get(Table t, std::string_view key) const;
    // A cursor of this snapshot; the cursor must be renew()ed after reset() + renew().
    [[nodiscard]] Cursor cursor(Table t) const;
    void reset() noexcept;
    void renew();
    // Id of the last write transaction this snapshot sees.
    [[nodiscard]] std::uint64_t id() const noexcept;
    [[nodiscard]] TableStats stats(Table t) const;

    [[nodiscard]] const Env& env() const noexcept { return *env_; }

private:
    friend class Cursor;
    const Env* env_;
    TxnHandle* txn_ = nullptr;
    mutable detail::CursorList cursors_;
};

// The transaction one op of Env::write runs in, on the writer thread; only the writer makes
// them (a child of the batch's transaction), and commits it when the op returns.
class WriteTxn {
public:
    ~WriteTxn();
    WriteTxn(const WriteTxn&) = delete;
    WriteTxn& operator=(const WriteTxn&) = delete;

    // The empty key (the DNS root) is stored as "\0"; a cursor shows it that way.
    [[nodiscard]] std::optional<std::string_view> get(Table t, std::string_view key) const;
    void put(Table t, std::string_view key, std::string_view value);
    bool del(Table t, std::string_view key); // false when the key was absent
    [[nodiscard]] Cursor cursor(Table t) const;
    // Next value of a named counter kept in Meta (starts at 1).
    [[nodiscard]] std::uint64_t next_id(std::string_view kind);
    // Id of the batch's transaction: every op of one batch shares it.
    [[nodiscard]] std::uint64_t id() const noexcept;

    [[nodiscard]] const Env& env() const noexcept { return *env_; }

private:
    friend class Env;
    friend struct Env::Writer;
    friend class Cursor;
    WriteTxn(Env& env, TxnHandle* parent);
    void commit(); // into the batch's transaction
    void append(Table t, std::string_view key, std::string_view value); // repack

    Env* env_;
    TxnHandle* txn_ = nullptr;
    mutable detail::CursorList cursors_;
};

template <class Op>
std::invoke_result_t<Op&, WriteTxn&> Env::write(Op&& op) {
    using Result = std::invoke_result_t<Op&, WriteTxn&>;
    static_assert(!std::is_reference_v<Result>, "an op returns a value, not a reference");

    struct Job : detail::WriteJob {
        std::remove_reference_t<Op>* op;
        std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
    };

    Job job;
    job.op = &op;
    job.run = [](detail::WriteJob& base, WriteTxn& txn) {
        auto& self = static_cast<Job&>(base);
        if constexpr (std::is_void_v<Result>) {
            (*self.op)(txn);
        } else {
            self.result.emplace((*self.op)(txn));
        }
    };
    submit(job);
    if constexpr (!std::is_void_v<Result>) {
        return std::move(*job.result);
    }
}

// A position in one table, obtained only from a transaction. It can neither be copied nor
// moved, and its transaction closes it when it ends (commit, abort, destruction): a cursor
// used after that finds nothing. After ReadTxn::reset() a cursor is stale until renew(txn);
// a stale cursor finds nothing either (stale() says so).
class Cursor {
public:
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    [[nodiscard]] bool seek(std::string_view key); // first entry with key >= `key`
    // As seek(), searched from the root when the cursor belongs to a ReadTxn: for a key with no
    // relation to the last one, as each query's name is. A positioned LMDB cursor first compares
    // the key with the first and last keys of the page it is on, two cache
    // misses that find nothing for a random key. A WriteTxn's cursor seeks as seek().
    [[nodiscard]] bool jump(std::string_view key);
    [[nodiscard]] bool first();
    [[nodiscard]] bool last();
    [[nodiscard]] bool next();
    [[nodiscard]] bool prev();

    [[nodiscard]] bool valid() const noexcept { return valid_; }

    [[nodiscard]] std::string_view key() const noexcept { return key_; }

    [[nodiscard]] std::string_view value() const noexcept { return value_; }

    // Closed by its transaction's end, or not renewed since its ReadTxn's reset().
    [[nodiscard]] bool stale() const noexcept;

    // Re-bind a cursor of a read-only txn after ReadTxn::renew() (the txn it came from).
    void renew(const ReadTxn& txn);

private:
    friend class ReadTxn;
    friend class WriteTxn;
    friend struct detail::CursorList;
    Cursor(TxnHandle* txn, unsigned dbi, detail::CursorList& list, bool read_only);
    bool move(int op, std::string_view key = {});
    void unlink() noexcept;

    CursorHandle* cur_ = nullptr;
    detail::CursorList* list_;
    Cursor* prev_ = nullptr;
    Cursor* next_ = nullptr;
    unsigned generation_;
    bool read_only_; // of a ReadTxn: jump() may unposition it
    bool valid_ = false;
    std::string_view key_, value_;
};

// Big-endian integer codecs: keys built with them sort numerically.
void put_u16(std::string& out, std::uint16_t v);
void put_u32(std::string& out, std::uint32_t v);
void put_u64(std::string& out, std::uint64_t v);
[[nodiscard]] std::uint16_t get_u16(std::string_view in, std::size_t pos) noexcept;
[[nodiscard]] std::uint32_t get_u32(std::string_view in, std::size_t pos) noexcept;
[[nodiscard]] std::uint64_t get_u64(std::string_view in, std::size_t pos) noexcept;
[[nodiscard]] std::string u64_key(std::uint64_t v);

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
    // LEB128: 7 bits a byte, low first, high bit set on all but the last (at most 10 bytes).
    std::uint64_t varint();
    std::string_view vstr(); // varint length + bytes

    bool done() const noexcept { return pos_ == data_.size(); }

    std::size_t pos() const noexcept { return pos_; } // bytes read so far

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
    void varint(std::uint64_t v);
    void vstr(std::string_view s);

    std::string& bytes() noexcept { return out_; }

private:
    std::string out_;
};

} // namespace sb::store
