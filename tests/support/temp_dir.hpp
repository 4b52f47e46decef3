// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
#pragma once

#include <filesystem>

namespace sb::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace sb::test
