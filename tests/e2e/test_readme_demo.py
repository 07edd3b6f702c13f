"""The README's first command, as a newcomer runs it: `flask --app wsgi demo` migrates a
fresh SQLite file, loads the demo tenants, prints the sign-ins and serves the portal;
a demo Kabid signs in in a browser."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_command_serves_the_portal(browser, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("SECRET_KEY", None)
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output.append(line)
            if "Portal berjalan di" in line:
                break
        text = "".join(output)
        assert f"Portal berjalan di http://127.0.0.1:{port}/" in text, text
        assert re.search(r"kabid\.kesmas@dinkes\.mojokerto\.test\s+Kepala Bidang \(Bidang Kesehatan Masyarakat\)", text)
        context = browser.new_context(base_url=f"http://127.0.0.1:{port}")
        page = context.new_page()
        page.goto("/masuk")
        page.fill("input[name=email]", "kabid.kesmas@dinkes.mojokerto.test")
        page.fill("input[name=password]", "demo-sakip")
        page.click("button[type=submit]")
        page.wait_for_url("**/t/kab-mojokerto-dinkes/")
        assert page.get_by_test_id("current-tenant").inner_text() == "Dinas Kesehatan Kabupaten Mojokerto"
        assert page.goto("/t/kota-blitar-dinsos/").status == 404
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
