// S3Client::Download: an object into a local file in ranged GETs (`Range: bytes=a-b`, S3's
// partial reads) inside its size (from the listing, else a HEAD), so that memory stays at one
// range (S3Settings::get_bytes) whatever the object's size. The file is written as the ranges
// arrive; on any failure it is removed.
#include <algorithm>
#include <charconv>
#include <fstream>

#include "destinations/filesystem/s3_client.h"

namespace dlt {

namespace fs = std::filesystem;

Status S3Client::Download(const std::string& key, const fs::path& file, std::optional<uint64_t> size) {
  if (!size) {
    // The size first (HEAD), so that every range asked for lies inside the object: servers
    // differ on a range past the end, or any range of an empty object.
    auto head = Send("HEAD", key, {}, std::nullopt);
    if (!head.ok()) return head.status();
    if (head->status == 404) return NotFound(Display(key) + ": no such object");
    if (head->status / 100 != 2) return Failure("HEAD", key, *head);
    uint64_t n = 0;
    const auto length = head->Header("Content-Length");
    if (!length || std::from_chars(length->data(), length->data() + length->size(), n).ec != std::errc()) {
      return Internal("HEAD " + Display(key) + ": no Content-Length");
    }
    size = n;
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return Internal("cannot write " + file.string() + " (a copy of " + Display(key) + ")");
  auto fail = [&](Status s) {
    out.close();
    std::error_code ec;
    fs::remove(file, ec);
    return s;
  };
  const uint64_t range = std::max<uint64_t>(s_.get_bytes, 1);
  uint64_t offset = 0;
  do {
    http::Headers headers;
    // An object of one range is read whole (an empty one too).
    if (*size > range) {
      const uint64_t last = std::min(*size, offset + range) - 1;
      headers.push_back({"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)});
    }
    auto r = Send("GET", key, {}, std::nullopt, headers);
    if (!r.ok()) return fail(r.status());
    if (r->status == 404 && r->body.find("<Code>NoSuchBucket</Code>") == std::string::npos) {
      return fail(NotFound(Display(key) + ": no such object"));
    }
    if (r->status != 200 && r->status != 206) return fail(Failure("GET", key, *r));
    if (r->status == 200 && offset > 0) {
      return fail(Internal("GET " + Display(key) + ": the server ignored the range from byte " + std::to_string(offset)));
    }
    out.write(r->body.data(), static_cast<std::streamsize>(r->body.size()));
    if (!out) return fail(Internal("cannot write " + file.string() + " (a copy of " + Display(key) + ")"));
    if (r->status == 200) break;  // the whole object (or a server that ignores ranges sent it all)
    if (r->body.empty()) return fail(Internal("GET " + Display(key) + ": an empty range at byte " + std::to_string(offset)));
    offset += r->body.size();
  } while (offset < *size);
  out.close();
  if (!out) return fail(Internal("cannot write " + file.string() + " (a copy of " + Display(key) + ")"));
  return Status::Ok();
}

}  // namespace dlt
