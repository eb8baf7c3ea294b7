// Big files go to S3 as a multipart upload: CreateMultipartUpload, one UploadPart per part_bytes
// of the file (read a part at a time, so a file of many GB never sits in memory), then
// CompleteMultipartUpload, which makes the object appear whole under its key. Until then S3 shows
// nothing under the key; on any failure the upload is aborted so its parts are not kept (and
// billed). A run killed in the middle leaves an incomplete upload that no listing shows and no
// later run counts; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes those.
#include <algorithm>
#include <fstream>

#include "common/fault.h"
#include "destinations/filesystem/s3_client.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

// S3 takes at most 10,000 parts: bigger files get bigger parts.
constexpr uint64_t kMaxParts = 10000;

}  // namespace

Status S3Client::Upload(const std::string& key, const fs::path& file) {
  std::error_code ec;
  const uint64_t size = fs::file_size(file, ec);
  if (ec) return Internal("cannot read the size of " + file.string() + " to upload it to " + Display(key) + ": " + ec.message());
  if (size <= s_.part_bytes) {
    std::ifstream in(file, std::ios::binary);
    std::string content(size, '\0');
    if (!in.read(content.data(), static_cast<std::streamsize>(size))) {
      return Internal("cannot read " + file.string() + " to upload it to " + Display(key));
    }
    return Put(key, content);
  }
  DLT_ASSIGN_OR_RETURN(std::string upload_id, CreateMultipartUpload(key));
  Status s = UploadParts(key, upload_id, file, size);
  if (!s.ok()) AbortMultipartUpload(key, upload_id);
  return s;
}

StatusOr<std::string> S3Client::CreateMultipartUpload(const std::string& key) {
  DLT_ASSIGN_OR_RETURN(auto r, Send("POST", key, {{"uploads", ""}}, std::string()));
  if (r.status / 100 != 2) return Failure("starting the multipart upload of", key, r);
  auto id = S3XmlElements(r.body, "UploadId");
  if (id.empty() || id[0].empty()) {
    return Unavailable("starting the multipart upload of " + Display(key) + ": the answer has no UploadId");
  }
  return id[0];
}

Status S3Client::UploadParts(const std::string& key, const std::string& upload_id, const fs::path& file,
                             uint64_t size) {
  const uint64_t part_bytes = std::max(s_.part_bytes, (size + kMaxParts - 1) / kMaxParts);
  std::ifstream in(file, std::ios::binary);
  if (!in) return Internal("cannot open " + file.string() + " to upload it to " + Display(key));
  std::string complete = "<CompleteMultipartUpload>";
  int number = 0;
  for (uint64_t offset = 0; offset < size; offset += part_bytes) {
    ++number;
    std::string part(std::min(part_bytes, size - offset), '\0');
    if (!in.read(part.data(), static_cast<std::streamsize>(part.size()))) {
      return Internal("cannot read " + file.string() + " to upload it to " + Display(key));
    }
    DLT_ASSIGN_OR_RETURN(auto r, Send("PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                                      std::move(part)));
    const std::string what = "uploading part " + std::to_string(number) + " of";
    if (r.status / 100 != 2) return Failure(what, key, r);
    auto etag = r.Header("ETag");
    if (!etag) return Unavailable(what + " " + Display(key) + ": the answer has no ETag");
    complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + *etag + "</ETag></Part>";
    FaultPoint("load_s3_part");
  }
  complete += "</CompleteMultipartUpload>";
  DLT_ASSIGN_OR_RETURN(auto r, Send("POST", key, {{"uploadId", upload_id}}, std::move(complete)));
  // S3 may answer 200 and still fail, with an <Error> body.
  if (r.status / 100 != 2 || r.body.find("<Error>") != std::string::npos) {
    return Failure("completing the multipart upload of", key, r);
  }
  return Status::Ok();
}

void S3Client::AbortMultipartUpload(const std::string& key, const std::string& upload_id) {
  // Best effort: the upload's failure is what is reported; an upload left behind is never visible
  // as an object.
  (void)Send("DELETE", key, {{"uploadId", upload_id}}, std::nullopt);
}

}  // namespace dlt
