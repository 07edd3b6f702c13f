"""PORTAL_ENV=production refuses a half-configured start, and `flask --app wsgi check`
prints the same report (real processes, as gunicorn and an operator start them)."""
import os
import subprocess
import sys

from tests.conftest import PG_URL, ROOT

SECRET = "k" * 40


def _env(**values):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "INSECURE_COOKIES", "PROXY_HOPS", "PORTAL_URL")}
    return {**env, "PORTAL_ENV": "production", **values}


def _check(env):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_half_configured_production_start_is_refused_with_every_reason(tmp_path):
    env = _env(INSECURE_COOKIES="1")
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60)
    assert started.returncode != 0
    for reason in ("TOLAK: SECRET_KEY belum diisi", "TOLAK: DATABASE_URL harus menunjuk PostgreSQL",
                   "TOLAK: REDIS_URL belum diisi", "TOLAK: PORTAL_URL belum diisi", "TOLAK: Cookie tidak aman"):
        assert reason in started.stderr
    checked = _check(env)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == "PORTAL_ENV: produksi"
    refusals = [line for line in checked.stdout.splitlines() if line.startswith("TOLAK: ")]
    assert len(refusals) == 5 and all(line in started.stderr for line in refusals)
    assert "Portal tidak akan dijalankan dengan konfigurasi ini." in checked.stdout

    short = _check(_env(SECRET_KEY="pendek", DATABASE_URL=PG_URL, REDIS_URL="redis://127.0.0.1:6379/0"))
    assert "TOLAK: SECRET_KEY terlalu pendek (6 karakter; paling sedikit 32" in short.stdout


def test_a_complete_production_configuration_starts_and_warns_about_a_role_rls_does_not_bind():
    env = _env(SECRET_KEY=SECRET, DATABASE_URL=PG_URL, REDIS_URL="redis://127.0.0.1:6379/0", PROXY_HOPS="1",
               PORTAL_URL="https://sakip.example.go.id")
    checked = _check(env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "TOLAK" not in checked.stdout
    # The test server's postgres role is a superuser: the RLS policies would not bind it.
    assert "PERINGATAN: Peran basis data 'postgres' adalah superuser atau BYPASSRLS" in checked.stdout
    assert "Konfigurasi dapat dijalankan." in checked.stdout
    started = subprocess.run([sys.executable, "-c", "import wsgi; print('jalan')"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 0 and started.stdout.strip() == "jalan"
    assert "produksi: Peran basis data 'postgres' adalah superuser" in started.stderr
