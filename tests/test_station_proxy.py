"""The documented reverse proxy in front of the web application: docs/station.md's nginx block, run for
real with a self-signed certificate in front of ``bodycam station serve``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.sshd import free_port
from tests.web import PASSWORD, serve

ROOT = Path(__file__).resolve().parent.parent


def test_the_documented_nginx_snippet_serves_the_application_over_tls(recorded, tmp_path):
    """docs/station.md's nginx server block, as written but for certificate paths and port, in front of
    `bodycam station serve` with the unit's BODYCAM_HTTPS=1: the login works over TLS with a secure cookie."""
    doc = (ROOT / "docs" / "station.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.*?)```", doc, re.S).group(1)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=beweismittel.example.de", "-keyout", str(tmp_path / "tls.key"),
                    "-out", str(tmp_path / "tls.pem")], check=True, capture_output=True)
    app_port, tls_port = free_port(), free_port()
    block = (block.replace("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;")
             .replace("/etc/ssl/certs/beweismittel.pem", str(tmp_path / "tls.pem"))
             .replace("/etc/ssl/private/beweismittel.key", str(tmp_path / "tls.key"))
             .replace("127.0.0.1:8000", f"127.0.0.1:{app_port}"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n{block}\n}}\n")
    root = tmp_path / "store"
    serve(recorded, root).store.db.close()
    environment = {**os.environ, "BODYCAM_HTTPS": "1", "BODYCAM_ALLOWED_HOSTS": "beweismittel.example.de"}
    app = subprocess.Popen([sys.executable, "-m", "office.cli", "station", "serve", "--store", str(root), "--bind",
                            f"127.0.0.1:{app_port}"], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(tmp_path), "-c",
                              str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
    base = f"https://beweismittel.example.de:{tls_port}"
    curl = ["curl", "-sS", "-k", "--resolve", f"beweismittel.example.de:{tls_port}:127.0.0.1",
            "-c", str(tmp_path / "jar"), "-b", str(tmp_path / "jar")]
    try:
        deadline = time.monotonic() + 60
        while subprocess.run([*curl, "-o", "/dev/null", "-f", f"{base}/login/"]).returncode != 0:
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.3)
        page = subprocess.run([*curl, f"{base}/login/"], capture_output=True, text=True).stdout
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        login = subprocess.run([*curl, "-D", "-", "-o", "/dev/null", "-H", f"Referer: {base}/login/",
                                "-d", f"csrfmiddlewaretoken={token}&username=case-worker&password={PASSWORD}",
                                f"{base}/login/"], capture_output=True, text=True).stdout
        assert " 302" in login.splitlines()[0] and "/recordings/" in login, login
        assert re.search(r"sessionid=.*; .*Secure", login, re.I), login
        listing = subprocess.run([*curl, "-D", str(tmp_path / "headers"), f"{base}/recordings/"],
                                 capture_output=True, text=True).stdout
        assert "cam-01" in listing
        headers = (tmp_path / "headers").read_text().lower()
        assert headers.count("strict-transport-security: max-age=31536000") == 1, headers
        assert "content-security-policy: default-src 'self'; script-src 'self'" in headers, headers
    finally:
        nginx.terminate()
        app.terminate()
        nginx.wait(timeout=30)
        app.wait(timeout=30)
