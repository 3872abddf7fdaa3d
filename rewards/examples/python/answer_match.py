#!/usr/bin/env python3
"""answer_match: a zerorl reward program in Python (protocol: rewards/README.md, "Custom rewards without a build").

Scores 1.0 when the completion contains the row's "answer" (case-insensitive); otherwise the share of the
answer's distinct letters and digits that appear in the completion (partial credit, so that a small model gets
a signal). Rows without an "answer" are not applicable: score null.

As a program kept running by zerorl (JSON Lines over stdin/stdout):
    rewards: [{name: external, command: [python3, rewards/examples/python/answer_match.py]}]
As an HTTP endpoint (OpenRLHF's remote reward convention):
    python3 rewards/examples/python/answer_match.py --http 8000
    rewards: [{name: http, url: "http://127.0.0.1:8000/score"}]
"""
import json
import sys


def score(row):
    """One request (the dataset row's fields plus prompt, completion, completion_tokens) -> one answer."""
    answer = row.get("answer")
    if answer is None:
        return {"score": None, "details": {"reason": "row has no 'answer'"}}
    answer, text = str(answer).strip().lower(), row["completion"].lower()
    if answer and answer in text:
        return {"score": 1.0, "details": {"matched": True}}
    chars = {c for c in answer if c.isalnum()}
    found = sum(1 for c in chars if c in text)
    return {"score": found / len(chars) if chars else 0.0, "details": {"matched": False, "chars_found": found}}


def serve_lines():
    # One answer line per request line, in order. Logs go to stderr (zerorl puts them in the run log);
    # stdout carries answers only. At end of input zerorl is closing us: the loop ends and we exit.
    for line in sys.stdin:
        print(json.dumps(score(json.loads(line))), flush=True)


def serve_http(port):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = json.dumps([score(row) for row in body["rows"]]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *args):
            pass  # one line per request would flood the log

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on http://127.0.0.1:{server.server_port}/score", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        serve_http(int(sys.argv[2]))
    else:
        serve_lines()
