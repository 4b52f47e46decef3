#include "store/store.hpp"

#include "lmdb_handles.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace sb::store {

static_assert(std::is_same_v<MDB_dbi, unsigned>, "Env keeps table handles as unsigned");

namespace {

constexpr const char* table_names[] = {
    "meta",           "zones",        "records",       "records_by_owner",
    "dns_nodes",      "enum_ranges",  "enum_numbers",  "customers",
    "customer_names", "counters",     "journal",       "sip_domains",
    "sip_accounts",   "sip_aliases",  "sip_settings",  "trusted_peers",
    "carriers",       "gateways",     "gateway_rules", "routes",
    "voicemail",      "prepaid",      "call_data",     "index",
    "zone_marks",     "dnssec_chain", "dnssec_keys"};
static_assert(std::size(table_names) == static_cast<unsigned>(Table::Count));

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
constexpr std::string_view looked_key = "repack_looked"; // Writer::looked_at, u64 each

} // namespace

Error::Error(const std::string& what, int rc)
    : std::runtime_error(what + ": " + mdb_strerror(rc))
    , rc_(rc) {}

Error Error::corrupted(const std::string& what) {
    return Error(what, MDB_CORRUPTED);
}

bool Error::full() const noexcept {
    return rc_ == MDB_MAP_FULL || rc_ == ENOSPC || rc_ == EDQUOT;
}

// ---- the writer ----

// The queue of jobs (intrusive, FIFO) and the one thread that runs them. Callers wait on
// `done_cv` for their job's `done`, set only after its batch's commit returned.
struct Env::Writer {
    std::mutex m;
    std::condition_variable work_cv; // the writer waits for jobs
    std::condition_variable done_cv; // callers wait for their batch
    detail::WriteJob* head = nullptr;
    detail::WriteJob* tail = nullptr;
    bool stopping = false;
    std::uint64_t batches = 0;  // under m
    std::size_t queued = 0;     // under m: jobs in the queue
    std::size_t last_batch = 0; // the writer's: ops in the batch it committed last
    std::thread::id id;         // the writer's, set by it under m (re-entrant writes)
    std::uint64_t repacks = 0;  // under m: tables repacked by tidy()
    bool auto_repack = true;    // Options::auto_repack
    std::thread thread;         // started last, in Env's constructor

    // The writer's own: leaf pages of each table when tidy() last looked at it, kept in Meta
    // under looked_key so that a quarter's growth counts across processes (one `zone import`
    // a file), and the batch count then (so an idle writer looks again only after new
    // commits).
    std::array<std::uint64_t, static_cast<unsigned>(Table::Count)> looked_at{};
    std::uint64_t tidied = 0;

    void loop(Env& env);
    // Repacks the tables that grew sparse since it last looked (Options::auto_repack), then
    // gives the freed pages' blocks back. Runs on the writer thread between batches.
    void tidy(Env& env) noexcept;
    void remember_looks(Env& env) noexcept; // looked_at into Meta, in a commit of its own
    template <class Fn>
    bool run_alone(Env& env, Fn fn) noexcept; // one op in a batch of its own: committed?
    // Under m: up to `limit` queued jobs (one when the first runs alone, none of those after
    // it), unlinked from the queue; `taken` counts them.
    detail::WriteJob* take(std::size_t limit, std::size_t& taken) noexcept;
    void run(Env& env, detail::WriteJob* batch, std::size_t taken) noexcept;
};

detail::WriteJob* Env::Writer::take(std::size_t limit, std::size_t& taken) noexcept {
    detail::WriteJob* first = head;
    detail::WriteJob* last = first;
    std::size_t n = 1;
    if (!first->alone) {
        while (last->next != nullptr && !last->next->alone && n < limit) {
            last = last->next;
            ++n;
        }
    }
    head = last->next;
    queued -= n;
    taken += n;
    if (head == nullptr) {
        tail = nullptr;
    }
    last->next = nullptr;
    return first;
}

void Env::Writer::loop(Env& env) {
    {
        const std::lock_guard lock(m);
        id = std::this_thread::get_id();
    }
    if (auto_repack) {
        try {
            // Tables as opened are not tidy()'s business, but for what they grew since a
            // writer last looked at them (a compacted store: since it was compacted).
            const ReadTxn snapshot(env);
            const auto stored = snapshot.get(Table::Meta, looked_key);
            for (unsigned i = 0; i < looked_at.size(); ++i) {
                looked_at[i] = snapshot.stats(static_cast<Table>(i)).leaf_pages;
                if (stored && stored->size() == 8 * looked_at.size()) {
                    looked_at[i] = std::min(looked_at[i], get_u64(*stored, 8 * i));
                }
            }
        } catch (const Error&) {
            auto_repack = false; // no snapshot at start: leave the layout to compact
        }
    }
    const auto ready = [&] { return head != nullptr || stopping; };
    for (;;) {
        detail::WriteJob* batch = nullptr;
        std::size_t taken = 0;
        {
            std::unique_lock lock(m);
            // Idle for a second after commits: the end of a bulk load, or a pause in a storm.
            while (auto_repack && batches != tidied && !ready()) {
                if (!work_cv.wait_for(lock, std::chrono::seconds(1), ready)) {
                    lock.unlock();
                    tidy(env);
                    lock.lock();
                    tidied = batches; // the repacks' own commits included
                }
            }
            work_cv.wait(lock, ready);
            if (head == nullptr) {
                if (auto_repack && batches != tidied) {
                    lock.unlock();
                    tidy(env); // closing after writes: leave the file packed
                }
                return; // stopping, and the queue is drained
            }
            if (last_batch > 1) {
                // Callers woken by the last commit are on their way back with their next op:
                // let them queue it, so that it shares this batch's flush. A lone caller does
                // not wait for the others.
                lock.unlock();
                std::this_thread::yield();
                lock.lock();
            }
            batch = take(max_batch, taken);
        }
        run(env, batch, taken);
        {
            const std::lock_guard lock(m);
            last_batch = 0;
            for (detail::WriteJob* j = batch; j != nullptr;) {
                detail::WriteJob* next = j->next; // the job's frame may go once it is done
                j->done = true;
                ++last_batch;
                j = next;
            }
        }
        done_cv.notify_all();
    }
}

// One batch: one LMDB transaction, each job in a child of it, one commit (and flush) for all.
void Env::Writer::run(Env& env, detail::WriteJob* batch, std::size_t taken) noexcept {
    MDB_txn* parent = nullptr;
    const int begun = mdb_txn_begin(raw(env.env_), nullptr, 0, &parent);
    if (begun != MDB_SUCCESS) {
        const auto error = std::make_exception_ptr(Error("mdb_txn_begin (write)", begun));
        for (detail::WriteJob* j = batch; j != nullptr; j = j->next) {
            j->error = error;
        }
        return;
    }
    bool any = false;
    for (detail::WriteJob* j = batch; j != nullptr; j = j->next) {
        try {
            WriteTxn txn(env, opaque(parent));
            j->run(*j, txn);
            txn.commit();
            any = true;
        } catch (...) {
            j->error = std::current_exception(); // its child was aborted: nothing of it stays
        }
        if (j->next == nullptr && !batch->alone) {
            // Ops queued while this batch ran join it, up to the limit: the batch closes
            // when nobody waits, and its one flush serves them all.
            const std::lock_guard lock(m);
            if (head != nullptr && !head->alone && taken < max_batch) {
                j->next = take(max_batch - taken, taken);
            }
        }
    }
    if (!any) {
        mdb_txn_abort(parent);
        return;
    }
    const int rc = mdb_txn_commit(parent); // with its flush, unless the Env is not durable
    if (rc != MDB_SUCCESS) {
        const auto error = std::make_exception_ptr(Error("mdb_txn_commit", rc));
        for (detail::WriteJob* j = batch; j != nullptr; j = j->next) {
            if (!j->error) {
                j->error = error;
            }
        }
        return;
    }
    const std::lock_guard lock(m);
    ++batches;
}

template <class Fn>
bool Env::Writer::run_alone(Env& env, Fn fn) noexcept {
    struct Job : detail::WriteJob {
        Fn* fn;
    } job;

    job.fn = &fn;
    job.alone = true;
    job.run = [](detail::WriteJob& base, WriteTxn& txn) { (*static_cast<Job&>(base).fn)(txn); };
    run(env, &job, 1);
    return !job.error;
}

void Env::Writer::tidy(Env& env) noexcept {
    std::vector<Table> sparse;
    bool looked = false;
    try {
        const ReadTxn snapshot(env);
        for (unsigned i = 0; i < looked_at.size(); ++i) {
            const auto t = static_cast<Table>(i);
            const std::uint64_t pages = snapshot.stats(t).leaf_pages;
            if (pages < repack_min_pages || pages * 4 < looked_at[i] * 5) {
                continue;
            }
            looked_at[i] = pages;
            looked = true;
            if (table_fill(snapshot, raw(env.env_), t, pages) < repack_below_fill) {
                sparse.push_back(t);
            }
        }
    } catch (const std::exception&) {
        return; // a snapshot or a walk failed: the layout waits for the next look
    }
    std::uint64_t done = 0;
    for (const Table t : sparse) {
        done += run_alone(env, [t](WriteTxn& txn) { rewrite_in_key_order(txn, t); }) ? 1 : 0;
    }
    if (done == 0) {
        if (looked) {
            remember_looks(env);
        }
        return;
    }
    // One more commit, so that the pages the repacks freed are older than the last commit and
    // can be punched (release_free_pages), unless a reader still holds a snapshot of them.
    const auto now = static_cast<std::uint64_t>(std::time(nullptr));
    (void)run_alone(env, [now](WriteTxn& txn) {
        std::string v;
        put_u64(v, now);
        txn.put(Table::Meta, "repacked", v);
    });
    (void)run_alone(env, [](WriteTxn& txn) { (void)punch_free_pages(txn); });
    // A non-durable Env (a bulk load) flushed before closing: so is what the repack wrote.
    (void)mdb_env_sync(raw(env.env_), 1);
    try {
        const ReadTxn snapshot(env);
        for (const Table t : sparse) {
            looked_at[static_cast<unsigned>(t)] = snapshot.stats(t).leaf_pages;
        }
    } catch (const std::exception&) {
        // looked_at keeps the sparse counts: the next look waits for a quarter more
    }
    remember_looks(env);
    const std::lock_guard lock(m);
    repacks += done;
}

void Env::Writer::remember_looks(Env& env) noexcept {
    std::string v;
    for (const std::uint64_t pages : looked_at) {
        put_u64(v, pages);
    }
    (void)run_alone(env, [&v](WriteTxn& txn) { txn.put(Table::Meta, looked_key, v); });
}

void Env::submit(detail::WriteJob& job) {
    if (!writer_) {
        throw Error("write to a store opened read-only", EACCES);
    }
    Writer& w = *writer_;
    std::unique_lock lock(w.m);
    if (std::this_thread::get_id() == w.id) {
        throw Error("Env::write called from inside a write operation, where it would wait for "
                    "itself: do the inner write in the outer operation's WriteTxn",
                    EDEADLK);
    }
    if (w.tail != nullptr) {
        w.tail->next = &job;
    } else {
        w.head = &job;
    }
    w.tail = &job;
    ++w.queued;
    w.work_cv.notify_one();
    w.done_cv.wait(lock, [&] { return job.done; });
    lock.unlock();
    if (job.error) {
        std::rethrow_exception(job.error);
    }
}

std::uint64_t Env::batches_committed() const noexcept {
    if (!writer_) {
        return 0;
    }
    const std::lock_guard lock(writer_->m);
    return writer_->batches;
}

std::uint64_t Env::auto_repacks() const noexcept {
    if (!writer_) {
        return 0;
    }
    const std::lock_guard lock(writer_->m);
    return writer_->repacks;
}

std::size_t Env::queued_writes() const noexcept {
    if (!writer_) {
        return 0;
    }
    const std::lock_guard lock(writer_->m);
    return writer_->queued;
}

// ---- Env ----

Env::Env(const std::filesystem::path& dir, Options options)
    : dir_(dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    MDB_env* env = nullptr;
    check(mdb_env_create(&env), "mdb_env_create");
    env_ = reinterpret_cast<EnvHandle*>(env);
    try {
        check(mdb_env_set_maxdbs(env, static_cast<unsigned>(Table::Count) + 8),
              "mdb_env_set_maxdbs");
        check(mdb_env_set_mapsize(env, options.map_size), "mdb_env_set_mapsize");
        check(mdb_env_set_maxreaders(env, options.max_readers), "mdb_env_set_maxreaders");
        // MDB_NOTLS: a read txn belongs to its object, not its thread. MDB_NORDAHEAD: lookups
        // are random, and pages read ahead would only swell the resident set.
        const unsigned flags = MDB_NOTLS | MDB_NORDAHEAD | (options.read_only ? MDB_RDONLY : 0u) |
                               (options.durable ? 0u : MDB_NOSYNC);
        check(mdb_env_open(env, dir.c_str(), flags, 0600),
              ("cannot open store in " + dir.string()).c_str());

        MDB_txn* txn = nullptr;
        check(mdb_txn_begin(env, nullptr, options.read_only ? MDB_RDONLY : 0, &txn),
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
                throw std::runtime_error(
                    "store in " + dir.string() + " has schema version " + std::to_string(found) +
                    ", this build reads version " + std::to_string(schema_version) +
                    (found < schema_version
                         ? ": it was written by an older switchboard and is not migrated; "
                           "export its data with that version and load it again"
                         : ": it was written by a newer switchboard; use that version"));
            }
            check(mdb_txn_commit(txn), "mdb_txn_commit");
        } catch (...) {
            mdb_txn_abort(txn);
            throw;
        }
        if (!options.read_only) {
            writer_ = std::make_unique<Writer>();
            writer_->auto_repack = options.auto_repack;
            writer_->thread = std::thread([this] { writer_->loop(*this); });
        }
    } catch (...) {
        mdb_env_close(env);
        throw;
    }
}

Env::~Env() {
    if (writer_) {
        {
            const std::lock_guard lock(writer_->m);
            writer_->stopping = true;
        }
        writer_->work_cv.notify_one();
        writer_->thread.join(); // after the queue is drained
    }
    mdb_env_close(raw(env_));
}

Stats Env::stats() const {
    MDB_envinfo info{};
    MDB_stat st{};
    check(mdb_env_info(raw(env_), &info), "mdb_env_info");
    check(mdb_env_stat(raw(env_), &st), "mdb_env_stat");
    Stats s;
    s.map_bytes = info.me_mapsize;
    s.used_bytes = (std::uint64_t{info.me_last_pgno} + 1) * st.ms_psize;
    s.last_txn_id = info.me_last_txnid;
    return s;
}

void Env::sync() {
    check(mdb_env_sync(raw(env_), 1), "mdb_env_sync");
}

namespace {

// Where this process maps the file of `st` from its first byte (/proc/self/maps): LMDB tells
// its map's address only with MDB_FIXEDMAP. Null if nowhere.
char* mapped_at(const struct stat& st) {
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        unsigned long long start = 0, end = 0, offset = 0, inode = 0;
        unsigned dev_major = 0, dev_minor = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%llx-%llx %4s %llx %x:%x %llu", &start, &end, perms, &offset,
                        &dev_major, &dev_minor, &inode) == 7 &&
            offset == 0 && inode == st.st_ino && dev_major == major(st.st_dev) &&
            dev_minor == minor(st.st_dev)) {
            return reinterpret_cast<char*>(static_cast<std::uintptr_t>(start));
        }
    }
    return nullptr;
}

} // namespace

std::uint64_t Env::populate(std::stop_token stop) const {
    const off_t used = static_cast<off_t>(stats().used_bytes);
    // A descriptor of its own: LMDB moves its descriptor's offset to write (lseek + writev),
    // and SEEK_DATA/SEEK_HOLE here would move it too.
    const int fd = ::open((dir_ / "data.mdb").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    const std::unique_ptr<const int, void (*)(const int*)> closer(
        &fd, [](const int* f) { ::close(*f); });

    struct stat st {};

    char* const map = ::fstat(fd, &st) == 0 ? mapped_at(st) : nullptr;
    if (map == nullptr) {
        return 0;
    }
    const off_t end = std::min(used, st.st_size);
    // MADV_POPULATE_READ holds the map's mmap_lock (read) while it maps a chunk, and a caller
    // at low priority (dnsd: SCHED_IDLE) may hold it long: a thread that maps or unmaps memory
    // meanwhile (a stack, a malloc arena) waits for the whole chunk. With 8 MiB chunks a 10M
    // store's zones all answered 10 ms later at start; with 1 MiB (256 pages), within a few ms
    // of no populate at all (bench/RESULTS.md).
    constexpr off_t chunk = off_t{1} << 20;
    std::uint64_t mapped = 0;
    // Holes are pages release_free_pages() gave back: free, and reading them would only fill
    // memory with zeros.
    for (off_t data = ::lseek(fd, 0, SEEK_DATA); data >= 0 && data < end;
         data = ::lseek(fd, data, SEEK_DATA)) {
        // SEEK_HOLE finds the file's end at the latest; should it fail, read to `end` (never
        // the same extent again and again).
        const off_t next_hole = ::lseek(fd, data, SEEK_HOLE);
        const off_t hole = next_hole > data ? std::min(end, next_hole) : end;
        while (data < hole) {
            if (stop.stop_requested()) {
                return mapped;
            }
            const auto n = static_cast<std::size_t>(std::min(chunk, hole - data));
            // The map opens with MDB_NORDAHEAD (a fault reads one page): read ahead first, so
            // the chunk comes from the disk in a few large reads, not one read per page.
            (void)::readahead(fd, data, n);
            int rc = 0;
            do {
                rc = ::madvise(map + data, n, MADV_POPULATE_READ);
            } while (rc != 0 && errno == EINTR);
            if (rc != 0) {
                return mapped;
            }
            data += static_cast<off_t>(n);
            mapped += n;
        }
    }
    return mapped;
}

// ---- cursor lists ----

void detail::CursorList::close_all() noexcept {
    for (Cursor* c = head; c != nullptr;) {
        Cursor* next = c->next_;
        mdb_cursor_close(raw(c->cur_));
        c->cur_ = nullptr;
        c->list_ = nullptr;
        c->prev_ = c->next_ = nullptr;
        c->valid_ = false;
        c = next;
    }
    head = nullptr;
}

// ---- ReadTxn ----

ReadTxn::ReadTxn(const Env& env)
    : env_(&env) {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(raw(env.env_), nullptr, MDB_RDONLY, &txn), "mdb_txn_begin (read)");
    txn_ = opaque(txn);
}

ReadTxn::~ReadTxn() {
    cursors_.close_all();
    mdb_txn_abort(raw(txn_));
}

std::optional<std::string_view> ReadTxn::get(Table t, std::string_view key) const {
    return txn_get(raw(txn_), env_->dbis_[static_cast<unsigned>(t)], key);
}

Cursor ReadTxn::cursor(Table t) const {
    return Cursor(txn_, env_->dbis_[static_cast<unsigned>(t)], cursors_, true);
}

void ReadTxn::reset() noexcept {
    ++cursors_.generation; // its cursors are stale until renewed
    mdb_txn_reset(raw(txn_));
}

void ReadTxn::renew() {
    check(mdb_txn_renew(raw(txn_)), "mdb_txn_renew");
}

std::uint64_t ReadTxn::id() const noexcept {
    return mdb_txn_id(raw(txn_));
}

TableStats ReadTxn::stats(Table t) const {
    MDB_stat st{};
    check(mdb_stat(raw(txn_), env_->dbis_[static_cast<unsigned>(t)], &st), "mdb_stat");
    return TableStats{st.ms_entries, st.ms_leaf_pages};
}

// ---- WriteTxn ----

WriteTxn::WriteTxn(Env& env, TxnHandle* parent)
    : env_(&env) {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(raw(env.env_), raw(parent), 0, &txn), "mdb_txn_begin (write)");
    txn_ = opaque(txn);
}

WriteTxn::~WriteTxn() {
    if (txn_ != nullptr) {
        cursors_.close_all();
        mdb_txn_abort(raw(txn_));
    }
}

std::optional<std::string_view> WriteTxn::get(Table t, std::string_view key) const {
    return txn_get(raw(txn_), env_->dbis_[static_cast<unsigned>(t)], key);
}

void WriteTxn::put(Table t, std::string_view key, std::string_view value) {
    MDB_val k = key_val(key), v = to_val(value);
    check(mdb_put(raw(txn_), env_->dbis_[static_cast<unsigned>(t)], &k, &v, 0), "mdb_put");
}

void WriteTxn::append(Table t, std::string_view key, std::string_view value) {
    MDB_val k = to_val(key), v = to_val(value);
    check(mdb_put(raw(txn_), env_->dbis_[static_cast<unsigned>(t)], &k, &v, MDB_APPEND),
          "mdb_put (append)");
}

bool WriteTxn::del(Table t, std::string_view key) {
    MDB_val k = key_val(key);
    const int rc = mdb_del(raw(txn_), env_->dbis_[static_cast<unsigned>(t)], &k, nullptr);
    if (rc == MDB_NOTFOUND) {
        return false;
    }
    check(rc, "mdb_del");
    return true;
}

Cursor WriteTxn::cursor(Table t) const {
    return Cursor(txn_, env_->dbis_[static_cast<unsigned>(t)], cursors_, false);
}

void WriteTxn::commit() {
    cursors_.close_all(); // an op's cursors end with it
    // Merges into the batch's transaction (no I/O); freed by LMDB either way.
    check(mdb_txn_commit(raw(std::exchange(txn_, nullptr))), "mdb_txn_commit (child)");
}

std::uint64_t WriteTxn::id() const noexcept {
    return mdb_txn_id(raw(txn_));
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

Cursor::Cursor(TxnHandle* txn, unsigned dbi, detail::CursorList& list, bool read_only)
    : list_(&list)
    , generation_(list.generation)
    , read_only_(read_only) {
    MDB_cursor* cur = nullptr;
    check(mdb_cursor_open(raw(txn), dbi, &cur), "mdb_cursor_open");
    cur_ = reinterpret_cast<CursorHandle*>(cur);
    next_ = list.head;
    if (next_ != nullptr) {
        next_->prev_ = this;
    }
    list.head = this;
}

Cursor::~Cursor() {
    if (cur_ != nullptr) {
        mdb_cursor_close(raw(cur_));
        unlink();
    }
}

void Cursor::unlink() noexcept {
    if (prev_ != nullptr) {
        prev_->next_ = next_;
    } else {
        list_->head = next_;
    }
    if (next_ != nullptr) {
        next_->prev_ = prev_;
    }
    prev_ = next_ = nullptr;
}

bool Cursor::stale() const noexcept {
    return cur_ == nullptr || generation_ != list_->generation;
}

bool Cursor::move(int op, std::string_view key) {
    if (stale()) {
        valid_ = false;
        return false;
    }
    MDB_val k = to_val(key), v{};
    const int rc = mdb_cursor_get(raw(cur_), &k, &v, static_cast<MDB_cursor_op>(op));
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

bool Cursor::jump(std::string_view key) {
    if (read_only_ && !stale()) {
        // Unpositions the cursor (mdb_cursor_init), so that mdb_cursor_set searches from the
        // root; it fails only for a write txn's cursor or a finished txn, which stale() excludes.
        check(mdb_cursor_renew(mdb_cursor_txn(raw(cur_)), raw(cur_)), "mdb_cursor_renew");
    }
    return seek(key);
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
    if (cur_ == nullptr || list_ != &txn.cursors_) {
        throw Error("Cursor::renew with a transaction other than its own", EINVAL);
    }
    check(mdb_cursor_renew(raw(txn.txn_), raw(cur_)), "mdb_cursor_renew");
    generation_ = list_->generation;
    valid_ = false;
}

} // namespace sb::store
