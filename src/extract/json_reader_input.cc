// The JSON reader's input (json_reader.h): a file, standard input or a string, plain or gzip,
// read into the buffer that the record splitter (json_reader.cc) scans.
#include "extract/json_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace dlt {

namespace fs = std::filesystem;

struct JsonRecordReader::Inflater {
  z_stream z{};
  bool initialized = false;
  bool in_member = false;  // inside a gzip member (its end not yet seen)
  std::unique_ptr<char[]> in;
  size_t in_cap = 0;

  ~Inflater() {
    if (initialized) inflateEnd(&z);
  }
};

JsonRecordReader::JsonRecordReader(std::string display_name, JsonReaderOptions options)
    : display_name_(std::move(display_name)), options_(options), format_(options.format) {
  options_.buffer_bytes = std::max<size_t>(options_.buffer_bytes, 4);
  options_.max_record_bytes = std::max<size_t>(options_.max_record_bytes, 1);
}

JsonRecordReader::~JsonRecordReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

StatusOr<std::unique_ptr<JsonRecordReader>> JsonRecordReader::Open(const fs::path& path,
                                                                   JsonReaderOptions options) {
  if (path == "-") {
    std::unique_ptr<JsonRecordReader> r(new JsonRecordReader("<stdin>", options));
    DLT_RETURN_IF_ERROR(r->Start(STDIN_FILENO, /*owns_fd=*/false));
    return r;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("file not found: " + path.string());
    return InvalidArgument("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path.string() + " is a folder, not a file");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::unique_ptr<JsonRecordReader> r(new JsonRecordReader(path.string(), options));
  DLT_RETURN_IF_ERROR(r->Start(fd, /*owns_fd=*/true));
  return r;
}

std::unique_ptr<JsonRecordReader> JsonRecordReader::FromString(std::string data,
                                                               std::string display_name,
                                                               JsonReaderOptions options) {
  std::unique_ptr<JsonRecordReader> r(new JsonRecordReader(std::move(display_name), options));
  r->owned_ = std::move(data);
  r->cap_ = r->end_ = r->owned_.size();
  r->owned_.reserve(r->owned_.size() + kReadableTail);  // allocated, hence readable
  r->data_ = r->owned_.data();
  r->eof_ = r->raw_eof_ = true;
  return r;
}

Status JsonRecordReader::Start(int fd, bool owns_fd) {
  fd_ = fd;
  owns_fd_ = owns_fd;
  cap_ = options_.buffer_bytes;
  heap_ = std::make_unique_for_overwrite<char[]>(cap_ + kReadableTail);
  data_ = heap_.get();
  while (end_ < 2 && !raw_eof_) {
    DLT_ASSIGN_OR_RETURN(size_t n, ReadRaw(data_ + end_, cap_ - end_));
    end_ += n;
  }
  if (end_ >= 2 && static_cast<unsigned char>(data_[0]) == 0x1f &&
      static_cast<unsigned char>(data_[1]) == 0x8b) {
    auto g = std::make_unique<Inflater>();
    g->in_cap = options_.buffer_bytes;
    g->in = std::make_unique_for_overwrite<char[]>(g->in_cap);
    std::memcpy(g->in.get(), data_, end_);
    g->z.next_in = reinterpret_cast<Bytef*>(g->in.get());
    g->z.avail_in = static_cast<uInt>(end_);
    end_ = 0;
    if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
      return Internal("cannot start gzip decompression for " + display_name_);
    }
    g->initialized = true;
    gzip_ = std::move(g);
  } else {
    eof_ = raw_eof_;
  }
  return Status::Ok();
}

StatusOr<size_t> JsonRecordReader::ReadRaw(char* dst, size_t cap) {
  cap = std::min<size_t>(cap, 1u << 30);
  for (;;) {
    ssize_t n = ::read(fd_, dst, cap);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("cannot read " + display_name_ + ": " + std::strerror(errno));
    }
    if (n == 0) raw_eof_ = true;
    raw_bytes_read_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
}

Status JsonRecordReader::Fill() {
  if (eof_) return Status::Ok();
  if (pos_ > 0) {
    size_t keep = end_ - pos_;
    if (keep != 0) std::memmove(data_, data_ + pos_, keep);
    discarded_ += pos_;
    end_ = keep;
    pos_ = 0;
  }
  if (cap_ - end_ < options_.buffer_bytes) {
    // Callers only fill while the pending record is within max_record_bytes (+1 for a CR), so the
    // buffer never grows past max_record_bytes + buffer_bytes + 2.
    size_t limit = options_.max_record_bytes + options_.buffer_bytes + 2;
    size_t want = std::max(end_ + options_.buffer_bytes, std::min(cap_ * 2, limit));
    auto bigger = std::make_unique_for_overwrite<char[]>(want + kReadableTail);
    if (end_ != 0) std::memcpy(bigger.get(), data_, end_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    cap_ = want;
  }
  if (gzip_) return FillGzip();
  DLT_ASSIGN_OR_RETURN(size_t n, ReadRaw(data_ + end_, cap_ - end_));
  end_ += n;
  if (n == 0) eof_ = true;
  return Status::Ok();
}

Status JsonRecordReader::FillGzip() {
  Inflater& g = *gzip_;
  const uInt room = static_cast<uInt>(std::min<size_t>(cap_ - end_, UINT_MAX));
  g.z.next_out = reinterpret_cast<Bytef*>(data_ + end_);
  g.z.avail_out = room;
  while (g.z.avail_out == room) {
    if (g.z.avail_in == 0) {
      if (!raw_eof_) {
        DLT_ASSIGN_OR_RETURN(size_t n, ReadRaw(g.in.get(), g.in_cap));
        g.z.next_in = reinterpret_cast<Bytef*>(g.in.get());
        g.z.avail_in = static_cast<uInt>(n);
      }
      if (g.z.avail_in == 0) {
        if (g.in_member) {
          return DataLoss(display_name_ +
                          ": truncated gzip stream: the file ends in the middle of compressed data");
        }
        eof_ = true;
        break;
      }
    }
    if (!g.in_member) {
      // Zero bytes after a member are padding (gzip(1) and Python's gzip skip them too).
      while (g.z.avail_in > 0 && *g.z.next_in == 0) {
        ++g.z.next_in;
        --g.z.avail_in;
      }
      if (g.z.avail_in == 0) continue;
      inflateReset(&g.z);
      g.in_member = true;
    }
    int rc = inflate(&g.z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      g.in_member = false;
    } else if (rc == Z_BUF_ERROR && g.z.avail_in == 0) {
      continue;  // needs more input
    } else if (rc != Z_OK) {
      std::string detail = g.z.msg ? g.z.msg : "error " + std::to_string(rc);
      return DataLoss(display_name_ + ": corrupt gzip data (" + detail + ")");
    }
  }
  end_ += room - g.z.avail_out;
  return Status::Ok();
}

}  // namespace dlt
