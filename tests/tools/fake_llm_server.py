#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for tests, on 127.0.0.1 only.

Each POST to /chat/completions (under any prefix) is answered from the scenario file, re-read per
request so a test can switch behaviour without restarting:

  {"status": 200, "content": "...", "reasoning": "...", "reasoning_details": [...],
   "delay_s": 0, "retry_after": "3", "raw_body": "..."}

`raw_body` replaces the whole response body (for malformed-response cases). Every request body is
appended as one JSON line to the requests log, so tests can inspect the prompt the agent sent.
The server writes its port to --port-file once it listens, and exits after --max-seconds.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario-file", required=True)
    parser.add_argument("--requests-log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8", "replace")
            with lock, open(args.requests_log, "a") as log:
                log.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                                      "body": body}) + "\n")
            with open(args.scenario_file) as f:
                scenario = json.load(f)
            if not self.path.endswith("/chat/completions"):
                self.send_response(404)
                self.end_headers()
                return
            time.sleep(float(scenario.get("delay_s", 0)))
            status = int(scenario.get("status", 200))
            if "raw_body" in scenario:
                payload = scenario["raw_body"].encode()
            else:
                message = {"role": "assistant", "content": scenario.get("content", "")}
                if "reasoning" in scenario:
                    message["reasoning"] = scenario["reasoning"]
                if "reasoning_details" in scenario:
                    message["reasoning_details"] = scenario["reasoning_details"]
                payload = json.dumps({"id": "gen-fake", "object": "chat.completion",
                                      "model": json.loads(body or "{}").get("model", "?"),
                                      "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
                                      "usage": {"prompt_tokens": 10, "completion_tokens": 5}}).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if "retry_after" in scenario:
                    self.send_header("Retry-After", str(scenario["retry_after"]))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.max_seconds, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
