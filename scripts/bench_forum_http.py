"""Throughput under gunicorn beside Spirit and a static file: `make bench-forum-http`.

Issue 16 asks, in one run on one machine: the anonymous thread page's requests per second on
our site against Spirit's (2 gunicorn workers each, 8 concurrent clients), and our anonymous
Resource Center home and article pages against the same bytes sent as a static file by the
same server.

Four gunicorn servers (2 sync workers each) run side by side:
- ours, on the forum dataset of `python -m scripts.bench_forum populate` (DATABASE_URL);
- Spirit, from the peers' harness ($PEERS or --peers, its own venv; `pip install gunicorn`
  there), on the peers' dataset;
- ours, on a database holding the demo content (--site-database-url, built with `migrate`,
  `createcachetable` and `load_demo`): the home page and one article;
- a static file server: the same gunicorn serving, from a folder, the exact bytes our home and
  article pages answered (`static_app` below: open the file, send it).

The load client is wrk (Debian's `wrk` package) with 8 connections, or without it a small
Python client (8 threads, keep-alive where the server allows it). Runs are interleaved
(ours, Spirit, ours, Spirit ...) for --rounds rounds of --seconds each, and the table gives
the median of each URL's runs and the ratios. All servers use the bench settings (DEBUG off,
a local-memory cache per worker).

    DATABASE_URL=postgres://...:55432/resourcecenter PEERS=... \\
        python -m scripts.bench_forum_http --site-database-url postgres://...:55432/site
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CLIENTS = 8


# --- the static file server (run by gunicorn: scripts.bench_forum_http:static_app) -------------


def static_app(environ, start_response):
    """Send a file of $BENCH_STATIC_DIR as it is: what a plain file server does per request."""
    folder = Path(os.environ["BENCH_STATIC_DIR"])
    name = environ.get("PATH_INFO", "/").lstrip("/")
    path = folder / name
    if "/" in name or not name or not path.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    handle = path.open("rb")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    start_response(
        "200 OK",
        [
            ("Content-Type", f"{content_type}; charset=utf-8"),
            ("Content-Length", str(path.stat().st_size)),
        ],
    )
    wrapper = environ.get("wsgi.file_wrapper")
    return wrapper(handle) if wrapper else iter(lambda: handle.read(65536), b"")


# --- servers -------------------------------------------------------------------------------------


class Server:
    """One gunicorn (WORKERS sync workers) on a free local port; stopped by `stop`."""

    def __init__(self, name: str, gunicorn: Path, app: str, *, cwd: Path, env: dict, port: int):
        self.name, self.port = name, port
        # Kept open for the server's lifetime (its output), so not a `with` block.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix=f"bench-{name}-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own or the peer's gunicorn
            [
                str(gunicorn),
                app,
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(cwd),
                "--log-level",
                "warning",
            ],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, path: str, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.name}: gunicorn stopped; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        sys.exit(f"{self.name}: {path} did not answer 200 in {timeout}s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ask(python: Path, code: str, *, cwd: Path, env: dict) -> str:
    """Run `code` with a site's own interpreter and settings; its last line of output."""
    out = subprocess.run(  # noqa: S603 - our own or the peer's interpreter
        [str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.exit(f"{python}: {out.stderr[-2000:]}")
    return out.stdout.strip().splitlines()[-1]


# --- the load client -------------------------------------------------------------------------


def load(url: str, seconds: float) -> tuple[float, int]:
    """(requests per second, failed responses) for CLIENTS concurrent clients on `url`."""
    if shutil.which("wrk"):
        out = subprocess.run(  # noqa: S603, S607 - the Debian wrk package
            ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds:g}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
        failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors: .*?read (\d+), write (\d+), timeout (\d+)", out)
        bad = int(failed[1]) if failed else 0
        bad += sum(int(n) for n in errors.groups()) if errors else 0
        return rate, bad
    return _python_load(url, seconds)


def _python_load(url: str, seconds: float) -> tuple[float, int]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    done, bad = [0] * CLIENTS, [0] * CLIENTS
    stop_at = time.perf_counter() + seconds

    def client(i: int) -> None:
        connection = HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < stop_at:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    bad[i] += 1
                done[i] += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except OSError:
                bad[i] += 1
                connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started), sum(bad)


# --- the run ---------------------------------------------------------------------------------


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: S607


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default=os.environ.get("PEERS"), help="the peers' harness")
    parser.add_argument("--site-database-url", required=True, help="a database with the demo")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    forum_db = os.environ.get("DATABASE_URL", "")
    if not forum_db.startswith("postgres") or not args.peers:
        sys.exit("bench_forum_http: set DATABASE_URL (the forum dataset) and PEERS (or --peers)")
    peers = Path(args.peers).resolve()
    spirit_site = peers / "spirit" / "site_spirit"
    spirit_bin = peers / "spirit" / "venv" / "bin"
    if not (spirit_bin / "gunicorn").exists():
        sys.exit(f"bench_forum_http: run {spirit_bin}/pip install gunicorn (Spirit's venv)")
    ours_bin = Path(sys.executable).parent
    ours_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "scripts.bench_forum_settings"}
    site_env = {**ours_env, "DATABASE_URL": args.site_database_url}
    spirit_env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    spirit_env.update({"DJANGO_SETTINGS_MODULE": "site_spirit.settings.bench", "DJANGO_DEBUG": "0"})
    setup = "import django; django.setup(); "
    thread_path = _ask(
        ours_bin / "python",
        setup + "from forum.models import Thread; "
        "print(Thread.objects.order_by('-last_post_number', 'pk').first().get_absolute_url())",
        cwd=ROOT,
        env=ours_env,
    )
    article_path = _ask(
        ours_bin / "python",
        setup + "from kb.models import ArticlePage; "
        "print(ArticlePage.objects.live().public().order_by('pk').first().url)",
        cwd=ROOT,
        env=site_env,
    )
    topic_path = _ask(
        spirit_bin / "python",
        setup + "from spirit.topic.models import Topic; "
        "print(Topic.objects.order_by('-comment_count', 'pk').first().get_absolute_url())",
        cwd=spirit_site,
        env=spirit_env,
    )
    static_dir = Path(tempfile.mkdtemp(prefix="bench-static-"))
    servers = {
        "ours": Server(
            "ours",
            ours_bin / "gunicorn",
            "resourcecenter.wsgi:application",
            cwd=ROOT,
            env=ours_env,
            port=_free_port(),
        ),
        "spirit": Server(
            "spirit",
            spirit_bin / "gunicorn",
            "site_spirit.wsgi:application",
            cwd=spirit_site,
            env=spirit_env,
            port=_free_port(),
        ),
        "site": Server(
            "site",
            ours_bin / "gunicorn",
            "resourcecenter.wsgi:application",
            cwd=ROOT,
            env=site_env,
            port=_free_port(),
        ),
        "static": Server(
            "static",
            ours_bin / "gunicorn",
            "scripts.bench_forum_http:static_app",
            cwd=ROOT,
            env={**os.environ, "BENCH_STATIC_DIR": str(static_dir)},
            port=_free_port(),
        ),
    }
    try:
        servers["ours"].wait_ready(thread_path)
        servers["spirit"].wait_ready(topic_path)
        servers["site"].wait_ready("/")
        # The static server sends the very bytes our pages answered (anonymous, cached).
        for name, path in (("home.html", "/"), ("article.html", article_path)):
            with urllib.request.urlopen(servers["site"].url(path), timeout=30) as response:  # noqa: S310
                (static_dir / name).write_bytes(response.read())
        servers["static"].wait_ready("/home.html")
        targets = [  # (row, server, path)
            ("forum thread page, anonymous: ours", "ours", thread_path),
            ("forum thread page, anonymous: Spirit", "spirit", topic_path),
            ("Resource Center home, anonymous: ours", "site", "/"),
            ("the same bytes as a static file", "static", "/home.html"),
            ("article page, anonymous: ours", "site", article_path),
            ("the same bytes as a static file ", "static", "/article.html"),
        ]
        for _, server, path in targets:  # warm every worker's caches
            load(servers[server].url(path), 2)
        print(f"load before: {_uptime()}", flush=True)
        rates: dict[str, list[float]] = {row: [] for row, _, _ in targets}
        failures: dict[str, int] = dict.fromkeys(rates, 0)
        for _ in range(args.rounds):
            for row, server, path in targets:
                rate, bad = load(servers[server].url(path), args.seconds)
                rates[row].append(rate)
                failures[row] += bad
                print(
                    f"  {row}: {rate:.1f} req/s" + (f" ({bad} failed)" if bad else ""), flush=True
                )
        print(f"load after: {_uptime()}")
        _report(targets, rates, failures, servers, static_dir)
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(static_dir, ignore_errors=True)


def _report(targets, rates, failures, servers, static_dir) -> None:
    client = "wrk" if shutil.which("wrk") else "python threads"
    print(
        f"\n## gunicorn, {WORKERS} sync workers per site, {CLIENTS} concurrent clients ({client}),"
        f" median of {len(next(iter(rates.values())))} interleaved runs"
    )
    print("| page | req/s | bytes | ratio |")
    print("|---|---:|---:|---:|")
    median = {row: statistics.median(values) for row, values in rates.items()}
    sizes = {
        "/home.html": (static_dir / "home.html").stat().st_size,
        "/article.html": (static_dir / "article.html").stat().st_size,
    }
    rows = [row for row, _, _ in targets]
    ratios = {
        rows[0]: f"{median[rows[0]] / median[rows[1]]:.2f}x Spirit (goal 3x)",
        rows[2]: f"{median[rows[2]] / median[rows[3]]:.2f} of static (goal 0.5)",
        rows[4]: f"{median[rows[4]] / median[rows[5]]:.2f} of static (goal 0.5)",
    }
    for row, _, path in targets:
        size = sizes.get(path, "")
        failed = f" ({failures[row]} failed)" if failures[row] else ""
        ratio = ratios.get(row, "")
        print(f"| {row.strip()} `{path}` | {median[row]:.1f}{failed} | {size} | {ratio} |")


if __name__ == "__main__":
    main()
