"""A small web service: counts visits in PostgreSQL and answers /health."""
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2


def connect():
    with open(os.environ["PASSWORD_FILE"], encoding="utf-8") as f:
        password = f.read()
    return psycopg2.connect(host=os.environ["DATABASE_HOST"], user=os.environ["DATABASE_USER"],
                            password=password, dbname="postgres", connect_timeout=3)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self.reply(200, "ok\n")
            return
        try:
            with connect() as conn, conn.cursor() as cur:
                cur.execute("CREATE TABLE IF NOT EXISTS visits (n integer)")
                cur.execute("INSERT INTO visits VALUES (1)")
                cur.execute("SELECT count(*) FROM visits")
                count = cur.fetchone()[0]
            self.reply(200, f"visits: {count}\n")
        except psycopg2.Error as error:
            self.reply(503, f"database unavailable: {error.__class__.__name__}\n")

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 5000), Handler).serve_forever()
