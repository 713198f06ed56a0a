"""Unit tests of server.py, run in the built image by the pipeline's unit-tests step."""
import os
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import server


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with tempfile.NamedTemporaryFile("w", delete=False) as password:
            password.write("not-a-real-password")
        # No database listens in the test container: the page must say so, not crash.
        os.environ.update(PASSWORD_FILE=password.name, DATABASE_HOST="127.0.0.1", DATABASE_USER="postgres")
        cls.httpd = ThreadingHTTPServer(("127.0.0.1", 0), server.Handler)
        cls.url = f"http://127.0.0.1:{cls.httpd.server_address[1]}"
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def test_health_answers_ok(self):
        self.assertEqual(self.get("/health"), (200, "ok\n"))

    def test_page_without_database_is_503(self):
        status, body = self.get("/")
        self.assertEqual(status, 503)
        self.assertIn("database unavailable", body)


if __name__ == "__main__":
    unittest.main()
