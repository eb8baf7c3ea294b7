// Resources and their record sources.
#include <charconv>
#include <fstream>

#include "dlt/resource.h"
#include "extract/extractor.h"
#include "extract/json_reader.h"
#include "extract/resource_access.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

class CallbackSource : public RecordSource {
 public:
  explicit CallbackSource(std::function<bool(std::string&)> next, std::string name)
      : next_(std::move(next)), name_(std::move(name)) {}
  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    buf_.clear();
    if (!next_(buf_)) return false;
    ++n_;
    bytes_ += buf_.size();
    *json = buf_;
    *where = name_ + " row " + std::to_string(n_);
    return true;
  }
  uint64_t bytes_read() const override { return bytes_; }

 private:
  std::function<bool(std::string&)> next_;
  std::string name_;
  std::string buf_;
  uint64_t n_ = 0, bytes_ = 0;
};

class FileSource : public RecordSource {
 public:
  FileSource(std::vector<fs::path> files, JsonFormat format) : files_(std::move(files)), format_(format) {}
  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    for (;;) {
      if (!reader_) {
        if (next_file_ >= files_.size()) return false;
        JsonReaderOptions o;
        o.format = format_;
        DLT_ASSIGN_OR_RETURN(reader_, JsonRecordReader::Open(files_[next_file_++], o));
      }
      RawRecord r;
      DLT_ASSIGN_OR_RETURN(bool more, reader_->Next(&r));
      if (more) {
        *json = r.json;
        // "file:line" for every record: built in place, without a temporary.
        const std::string& name = reader_->display_name();
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, r.line).ptr;
        where->assign(name);
        where->push_back(':');
        where->append(digits, end);
        last_name_ = &name;
        last_line_ = r.line;
        return true;
      }
      done_bytes_ += reader_->compressed_bytes_read();
      reader_.reset();
    }
  }
  uint64_t bytes_read() const override { return done_bytes_ + (reader_ ? reader_->compressed_bytes_read() : 0); }
  const std::string* last_name() const override { return reader_ ? last_name_ : nullptr; }
  uint64_t last_line() const override { return last_line_; }

 private:
  std::vector<fs::path> files_;
  JsonFormat format_;
  size_t next_file_ = 0;
  std::unique_ptr<JsonRecordReader> reader_;
  uint64_t done_bytes_ = 0;
  const std::string* last_name_ = nullptr;  // the display name of reader_
  uint64_t last_line_ = 0;
};

}  // namespace

Resource Resource::FromCallback(ResourceOptions options, std::function<bool(std::string&)> next) {
  Resource r;
  r.options_ = std::move(options);
  std::string name = r.options_.name;
  r.open_ = [next, name](const ExtractContext&) -> StatusOr<std::unique_ptr<RecordSource>> {
    return std::unique_ptr<RecordSource>(new CallbackSource(next, name));
  };
  return r;
}

Resource Resource::FromRows(ResourceOptions options, std::vector<std::string> rows) {
  auto shared = std::make_shared<std::vector<std::string>>(std::move(rows));
  // Each Open() starts from the first row again.
  Resource r;
  r.options_ = std::move(options);
  std::string name = r.options_.name;
  r.open_ = [shared, name](const ExtractContext&) -> StatusOr<std::unique_ptr<RecordSource>> {
    auto i = std::make_shared<size_t>(0);
    return std::unique_ptr<RecordSource>(new CallbackSource(
        [shared, i](std::string& out) {
          if (*i >= shared->size()) return false;
          out = (*shared)[(*i)++];
          return true;
        },
        name));
  };
  return r;
}

std::unique_ptr<RecordSource> MakeJsonFileSource(std::vector<fs::path> files, JsonFormat format) {
  return std::make_unique<FileSource>(std::move(files), format);
}

}  // namespace dlt
