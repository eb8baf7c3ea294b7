// A small HTTP server for Python test scripts: `import srv; s, base = srv.start(handler)` starts
// http.server in a thread on 127.0.0.1 (a free port); handler(rec) returns (status, headers,
// body) for each request, rec being its method, path, query (q), headers and body; every request
// is appended to srv.LOG. RunWithServer writes srv.py beside the script and runs the script.
#pragma once

#include <map>
#include <string>

#include "support/python_script.h"

namespace dlt::testing {

inline const char* kPythonHttpServer = R"PY(
import json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
LOG = []
def start(handler_fn):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a): pass
        def _do(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            u = urlparse(self.path)
            rec = dict(method=self.command, path=u.path, q={k: v[0] for k, v in parse_qs(u.query).items()},
                       headers=dict(self.headers), body=body.decode())
            LOG.append(rec)
            status, hdrs, out = handler_fn(rec)
            out = (out if isinstance(out, str) else json.dumps(out)).encode()
            self.send_response(status)
            hdrs = dict(hdrs or {}); hdrs.setdefault("Content-Type", "application/json")
            for k, v in hdrs.items(): self.send_header(k, v)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers(); self.wfile.write(out)
        do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = _do
    s = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s, f"http://127.0.0.1:{s.server_port}"
)PY";

inline RunResult RunWithServer(TempWorkspace& w, const std::string& script, const std::map<std::string, std::string>& env = {}) {
  w.Write("srv.py", kPythonHttpServer);
  w.Write("main.py", script);
  for (const auto& [k, v] : env) w.env()[k] = v;
  return RunPython(w, "main.py");
}

}  // namespace dlt::testing
