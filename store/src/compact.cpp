#include "lmdb_handles.hpp"
#include "store/store.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

// Compaction: the compacting copy, a table rewritten in key order, and the free pages handed
// back to the file system.
namespace sb::store {

void Env::copy_to(const std::filesystem::path& target) const {
    std::filesystem::create_directories(target);
    if (std::filesystem::exists(target / "data.mdb")) {
        throw std::runtime_error(target.string() +
                                 " already holds a store; give an empty directory");
    }
    check(mdb_env_copy2(raw(env_), target.c_str(), MDB_CP_COMPACT),
          ("cannot copy the store to " + target.string()).c_str());
}

void Env::rewrite_in_key_order(WriteTxn& txn, Table table) {
    // Alone in its batch, so the snapshot `old` (taken on the writer thread, first in its
    // batch) holds everything the batch's transaction holds. The old tree stays readable
    // through `old` while the new one is appended: its pages cannot be reused by this txn, so
    // the new pages come, in order, from the end of the file.
    const ReadTxn old(*txn.env_);
    MDB_dbi dbi = txn.env_->dbis_[static_cast<unsigned>(table)];
    check(mdb_drop(raw(txn.txn_), dbi, 0), "mdb_drop");
    Cursor c = old.cursor(table);
    for (bool ok = c.first(); ok; ok = c.next()) {
        txn.append(table, c.key(), c.value());
    }
}

void Env::repack(Table t) {
    struct Job : detail::WriteJob {
        Table table;
    } job;

    job.table = t;
    job.alone = true;
    job.run = [](detail::WriteJob& base, WriteTxn& txn) {
        rewrite_in_key_order(txn, static_cast<Job&>(base).table);
    };
    submit(job);
}

namespace {

// The oldest snapshot a reader of any process holds (mdb_reader_list's lines: pid, thread,
// txnid or "-"); `none`: no reader holds one.
std::uint64_t oldest_reader(MDB_env* env, std::uint64_t none) {
    struct Scan {
        std::uint64_t oldest;
    } scan{none};

    mdb_reader_list(
        env,
        [](const char* line, void* ctx) -> int {
            unsigned long long txnid = 0;
            char pid[32], thread[32];
            if (std::sscanf(line, "%31s %31s %llu", pid, thread, &txnid) == 3) {
                auto& s = *static_cast<Scan*>(ctx);
                s.oldest = std::min<std::uint64_t>(s.oldest, txnid);
            }
            return 0;
        },
        &scan);
    return scan.oldest;
}

} // namespace

std::uint64_t Env::punch_free_pages(WriteTxn& txn) {
    MDB_env* env = raw(txn.env_->env_);
    MDB_txn* t = raw(txn.txn_);
    // LMDB reuses the pages freed by transaction T once T < the oldest snapshot read
    // (mdb_page_alloc; with no reader, the last commit): those, and only those, are free
    // for every reader and writer.
    const std::uint64_t oldest = oldest_reader(env, mdb_txn_id(t) - 1);
    MDB_stat st{};
    check(mdb_env_stat(env, &st), "mdb_env_stat");
    std::vector<std::uint64_t> pages;
    // LMDB opens no cursor on the free list (dbi 0) in a write txn: read it in a snapshot
    // of the last commit, which is what this txn (alone in its batch) started from.
    MDB_txn* snapshot = nullptr;
    check(mdb_txn_begin(env, nullptr, MDB_RDONLY, &snapshot), "mdb_txn_begin");
    const std::unique_ptr<MDB_txn, void (*)(MDB_txn*)> end_snapshot(snapshot, mdb_txn_abort);
    MDB_cursor* c = nullptr;
    check(mdb_cursor_open(snapshot, 0, &c), "mdb_cursor_open freelist");
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        std::size_t freed_by = 0;
        if (k.mv_size != sizeof freed_by || v.mv_size < sizeof(std::size_t)) {
            continue;
        }
        std::memcpy(&freed_by, k.mv_data, sizeof freed_by);
        if (freed_by >= oldest) {
            break; // keys ascend
        }
        // An MDB_IDL: a count, then the page numbers.
        std::size_t n = 0;
        std::memcpy(&n, v.mv_data, sizeof n);
        n = std::min(n, v.mv_size / sizeof(std::size_t) - 1);
        for (std::size_t i = 1; i <= n; ++i) {
            std::size_t pgno = 0;
            std::memcpy(&pgno, static_cast<const char*>(v.mv_data) + i * sizeof pgno, sizeof pgno);
            pages.push_back(pgno);
        }
    }
    mdb_cursor_close(c);
    std::sort(pages.begin(), pages.end());
    mdb_filehandle_t fd{};
    check(mdb_env_get_fd(env, &fd), "mdb_env_get_fd");

    struct stat before {};

    ::fstat(fd, &before);
    for (std::size_t i = 0; i < pages.size();) {
        std::size_t j = i + 1;
        while (j < pages.size() && pages[j] == pages[j - 1] + 1) {
            ++j;
        }
        if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        static_cast<off_t>(pages[i] * st.ms_psize),
                        static_cast<off_t>((j - i) * st.ms_psize)) != 0) {
            throw Error("fallocate PUNCH_HOLE", errno);
        }
        i = j;
    }

    struct stat after {};

    ::fstat(fd, &after);
    return before.st_blocks > after.st_blocks
               ? static_cast<std::uint64_t>(before.st_blocks - after.st_blocks) * 512
               : 0;
}

std::uint64_t Env::release_free_pages() {
    struct Job : detail::WriteJob {
        std::uint64_t released = 0;
    } job;

    job.alone = true; // every op before it committed: its txn holds nothing of theirs
    job.run = [](detail::WriteJob& base, WriteTxn& txn) {
        static_cast<Job&>(base).released = punch_free_pages(txn);
    };
    submit(job);
    return job.released;
}

double table_fill(const ReadTxn& snapshot, MDB_env* env, Table t, std::uint64_t leaf_pages) {
    MDB_stat st{};
    check(mdb_env_stat(env, &st), "mdb_env_stat");
    constexpr std::size_t header = 8, slot = 2, page_header = 16;
    const std::size_t node_max = ((st.ms_psize - page_header) / 2) & ~std::size_t{1};
    std::uint64_t bytes = 0;
    Cursor c = snapshot.cursor(t);
    for (bool ok = c.first(); ok; ok = c.next()) {
        std::size_t node = header + c.key().size() + c.value().size();
        if (node > node_max) {
            node = header + c.key().size() + sizeof(std::size_t) /* an overflow page number */;
        }
        bytes += ((node + 1) & ~std::size_t{1}) + slot;
    }
    return static_cast<double>(bytes) /
           (static_cast<double>(leaf_pages) * static_cast<double>(st.ms_psize - page_header));
}

} // namespace sb::store
