// A minimal W3C WebDriver client for ChromeDriver (Debian's chromium and chromium-driver), shared
// by the dashboard's Chromium tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "common/hash.h"

namespace dlt::testing {

class WebDriver {
 public:
  using Json = nlohmann::json;

  explicit WebDriver(int port) : http_("127.0.0.1", port) {
    http_.set_read_timeout(60, 0);
    http_.set_connection_timeout(5, 0);
  }
  Json Call(const std::string& method, const std::string& path, const Json& body = Json::object()) {
    std::string url = path.empty() || path[0] == '/' ? path : "/session/" + session_ + "/" + path;
    httplib::Result r = method == "GET"    ? http_.Get(url.c_str())
                        : method == "DELETE" ? http_.Delete(url.c_str())
                                             : http_.Post(url.c_str(), body.dump(), "application/json");
    if (!r) {
      ADD_FAILURE() << "WebDriver " << method << " " << url << ": no response";
      return Json();
    }
    Json j = Json::parse(r->body, nullptr, false);
    if (r->status != 200) ADD_FAILURE() << "WebDriver " << method << " " << url << ": " << r->status << " " << r->body;
    return j.is_discarded() ? Json() : j["value"];
  }
  // `downloads`: where a clicked download is saved, without asking (none: the browser's default).
  bool Start(const std::filesystem::path& profile_dir, const std::filesystem::path& downloads = {}) {
    Json options = {{"binary", "/usr/bin/chromium"},
                    {"args", {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              "--disable-background-networking", "--disable-component-update", "--disable-sync",
                              "--user-data-dir=" + profile_dir.string(), "--window-size=1280,1000"}}};
    if (!downloads.empty()) {
      options["prefs"] = {{"download.default_directory", downloads.string()}, {"download.prompt_for_download", false},
                          {"download.directory_upgrade", true}, {"safebrowsing.enabled", false}};
    }
    Json caps = {{"capabilities", {{"alwaysMatch", {{"browserName", "chrome"}, {"goog:chromeOptions", options}}}}}};
    Json v = Call("POST", "/session", caps);
    if (!v.is_object() || !v.contains("sessionId")) return false;
    session_ = v["sessionId"];
    return true;
  }
  void Stop() {
    if (!session_.empty()) Call("DELETE", "/session/" + session_);
    session_.clear();
  }
  void Go(const std::string& url) { Call("POST", "url", {{"url", url}}); }
  Json Script(const std::string& js) { return Call("POST", "execute/sync", {{"script", js}, {"args", Json::array()}}); }
  void Click(const std::string& css) {
    Json e = Call("POST", "element", {{"using", "css selector"}, {"value", css}});
    if (!e.is_object() || e.empty()) {
      ADD_FAILURE() << "no element " << css;
      return;
    }
    std::string id = e.begin().value();
    Call("POST", "element/" + id + "/click");
  }
  // Waits until the page has rendered `route` (the URL fragment without '#').
  bool WaitForRoute(const std::string& route, int timeout_ms = 15000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      Json v = Script("const m = document.getElementById('main'); return m && m.dataset.state === 'ready' ? (m.dataset.route || '') : null;");
      if (v.is_string() && v == route) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string Text(const std::string& css) {
    Json v = Script("const e = document.querySelector(" + Json(css).dump() + "); return e ? e.textContent : null;");
    return v.is_string() ? v.get<std::string>() : "";
  }
  std::string Html() {
    Json v = Script("return document.documentElement.outerHTML;");
    return v.is_string() ? v.get<std::string>() : "";
  }
  std::string ScreenshotPng() {
    Json v = Call("GET", "screenshot");
    if (!v.is_string()) return "";
    auto png = hash::Base64Decode(v.get<std::string>());
    return png.ok() ? *png : "";
  }

 private:
  httplib::Client http_;
  std::string session_;
};

}  // namespace dlt::testing
