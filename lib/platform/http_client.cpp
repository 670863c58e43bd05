// libcurl behind the HttpClient seam.
#include "platform/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include <fmt/format.h>

namespace payops {
namespace {

std::once_flag g_curl_init;

struct BodySink {
  std::string* body;
  std::size_t max_bytes;
  bool overflowed = false;
};

// Bounded while reading: past max_bytes the transfer is aborted (returning less than given makes
// libcurl fail with CURLE_WRITE_ERROR), so a 50 MB answer never costs more than the bound.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * count;
  if (sink->body->size() + n > sink->max_bytes) {
    sink->overflowed = true;
    return 0;
  }
  sink->body->append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) {
      std::string value(line.substr(kName.size()));
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
      *static_cast<std::string*>(user) = value;
    }
  }
  return size * count;
}

}  // namespace

CurlHttpClient::CurlHttpClient() {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlHttpClient::~CurlHttpClient() = default;

Result<HttpResponse> CurlHttpClient::post(const HttpRequest& request) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return make_error("could not start libcurl");
  HttpResponse response;
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  BodySink sink{&response.body, request.max_body_bytes, false};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.retry_after);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK && sink.overflowed) {
    return make_error(fmt::format("the answer from {} was longer than {} bytes; it was not read further",
                                  request.url, request.max_body_bytes));
  }
  if (rc != CURLE_OK) {
    return make_error(rc == CURLE_OPERATION_TIMEDOUT
                          ? fmt::format("no answer from {} within {} ms", request.url, request.timeout_ms)
                          : fmt::format("request to {} failed: {}", request.url, curl_easy_strerror(rc)));
  }
  return response;
}

}  // namespace payops
