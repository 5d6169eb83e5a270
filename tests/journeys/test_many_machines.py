"""Several machines at once, as in production: real processes, a real HTTP client.

1. Two gunicorn web processes and a ``db_worker`` on PostgreSQL and Redis (PostgreSQL
   only): a session, a page cache and a limit shared through Redis, and mail recorded by
   one process and sent by another.
2. A database server that accepts connections and never answers: the health check gives
   up in time and the web process's other threads keep serving (either database).

The processes run the production settings (``DJANGO_DEBUG=0``): the static manifest
(``collectstatic`` into a temporary STATIC_ROOT, the admin's files left out because no
test opens the admin), ``__Host-`` cookies that are ``Secure``. In production a TLS proxy
stands in front of gunicorn and says so with ``X-Forwarded-Proto: https``
(SECURE_PROXY_SSL_HEADER). ``Browser`` below is the browser and that proxy in one: it keeps
and sends back the Secure cookies as a browser does over HTTPS, and adds the proxy's header
and the browser's ``Origin`` and ``Referer``, so that CSRF checks run exactly as they do
behind the proxy. SECURE_SSL_REDIRECT=0 only matters for the health probes, which, as a
load balancer's, come over plain HTTP without the header.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import PASSWORD, status_url
from tracker.models import Level, Notification, Progress, ProgressStatus

User = get_user_model()
BASE_DIR = Path(django_settings.BASE_DIR)
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"  # a db number of its own, flushed around tests
SESSION_COOKIE = "__Host-sessionid"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
# Only what a process needs to run: none of the developer's own settings (DATABASE_URL,
# REDIS_URL, EMAIL_HOST, LIMITS_FACTOR...) may leak into the processes under test.
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "careerpath.settings",
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "many-machines-test-only-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "http://127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "PYTHONUNBUFFERED": "1",
}


# --- helpers -------------------------------------------------------------------------------


def wait_for(condition, *, timeout: float, what: str, every: float = 0.05):
    """Poll ``condition`` until it returns something true, and return that; fail with
    ``what`` once ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Not within {timeout} s: {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_env(static_root: Path, **extra: str) -> dict:
    return {
        **{name: os.environ[name] for name in KEPT_ENV if name in os.environ},
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(static_root),
        **extra,
    }


class Process:
    """A subprocess in a process group of its own, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict, folder: Path):
        self.name = name
        self.log_path = folder / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.popen.returncode}:\n{self.log()[-3000:]}"
            )

    def stop(self) -> None:
        """Terminate (SIGTERM to the group: gunicorn's master and its worker), then kill."""
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.popen.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        self._log.close()


class WebProcess(Process):
    """gunicorn (gthread, one worker) on a port the system picks."""

    def __init__(self, name: str, env: dict, folder: Path, *, threads: int):
        super().__init__(
            name,
            [
                *(sys.executable, "-m", "gunicorn", "careerpath.wsgi"),
                *("--bind", "127.0.0.1:0", "--workers", "1", "--threads", str(threads)),
                *("--graceful-timeout", "3", "--access-logfile", "-", "--error-logfile", "-"),
                # gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default:
                # one path for every gunicorn of the machine (and of other test runs).
                "--no-control-socket",
            ],
            env,
            folder,
        )
        self.base = ""

    def wait_ready(self, timeout: float = 20) -> None:
        """Until it listens and its worker serves a static file (the app is loaded)."""

        def port():
            self.check_alive()
            found = LISTENING.search(self.log())
            return found and found.group(1)

        self.base = f"http://127.0.0.1:{wait_for(port, timeout=timeout, what=self.name)}"

        def serves():
            self.check_alive()
            try:
                return http_get(self.base + "/static/css/app.css", timeout=2)[0] == 200
            except OSError:
                return False

        wait_for(serves, timeout=timeout, what=f"{self.name} serving", every=0.1)


def http_get(url: str, timeout: float = 10) -> tuple[int, str]:
    """A plain GET, as a load balancer's probe sends it: the status and the body."""
    with Browser().open(url, timeout=timeout) as response:
        return response.status, response.read().decode()


class _Answers(urllib.request.HTTPErrorProcessor):
    """Every answer is returned as it is: no exception for 4xx/5xx, no redirect followed."""

    def http_response(self, request, response):
        return response

    https_response = http_response


@dataclass
class Page:
    status: int
    text: str
    headers: dict = field(default_factory=dict)

    def csrf_token(self) -> str:
        found = CSRF_TOKEN.search(self.text)
        assert found, f"no CSRF token in the page (status {self.status})"
        return found.group(1)


class Browser:
    """One person's browser with the TLS proxy in front of the site (module docstring).

    Cookies are kept per host, not per port, as browsers do: the cookies that process A
    set are sent to process B too."""

    def __init__(self):
        # Secure cookies go back over the proxy's plain-HTTP hop, as they would over HTTPS.
        self.cookies = CookieJar(DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _Answers
        )

    def open(self, url: str, data: bytes | None = None, headers=None, timeout: float = 15):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        return self._opener.open(request, timeout=timeout)

    def _send(self, base: str, path: str, form: dict | None) -> Page:
        origin = "https://" + urllib.parse.urlsplit(base).netloc
        headers = {"X-Forwarded-Proto": "https"}
        data = None
        if form is not None:
            headers |= {"Origin": origin, "Referer": origin + path}
            data = urllib.parse.urlencode(form).encode()
        with self.open(base + path, data, headers) as response:
            return Page(response.status, response.read().decode(), dict(response.headers))

    def get(self, base: str, path: str) -> Page:
        return self._send(base, path, None)

    def post(self, base: str, path: str, form: dict) -> Page:
        return self._send(base, path, form)

    def submit(self, base: str, path: str, fields: dict, *, form_page: str | None = None):
        """Open the form's page, then post ``fields`` with its CSRF token, as a person
        filling the form in does."""
        token = self.get(base, form_page or path).csrf_token()
        return self.post(base, path, {"csrfmiddlewaretoken": token, **fields})

    def cookie(self, name: str):
        return next((cookie for cookie in self.cookies if cookie.name == name), None)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """The production static files and manifest, made once for the module (~3 s)."""
    folder = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", "-i", "admin"],
        cwd=BASE_DIR,
        env=process_env(folder, DATABASE_URL=f"sqlite:///{folder / 'unused.sqlite3'}"),
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert (folder / "staticfiles.json").exists()
    return folder


# --- 1. two web processes and a worker, on PostgreSQL and Redis ----------------------------


class Inbox:
    """An SMTP server's handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[str]:
        return [
            envelope.content.decode(errors="replace")
            for envelope in list(self.messages)
            if address in envelope.rcpt_tos
        ]


@dataclass
class Cluster:
    a: WebProcess
    b: WebProcess
    worker: Process
    redis: redis.Redis
    inbox: Inbox


def database_url(settings_dict: dict) -> str:
    user = urllib.parse.quote(settings_dict["USER"] or "")
    password = urllib.parse.quote(settings_dict["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{urllib.parse.quote(settings_dict['NAME'])}"


@pytest.fixture(scope="module")
def cluster(django_db_setup, static_root, tmp_path_factory):
    """Web processes A and B (gunicorn, 1 worker, 2 threads) and a ``db_worker``, on the
    test database and Redis db 15, sending mail to an SMTP server in this process."""
    shared = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        shared.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis is needed at {TEST_REDIS_URL} next to PostgreSQL: {error}")
    shared.flushdb()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    folder = tmp_path_factory.mktemp("cluster")
    env = process_env(
        static_root,
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=TEST_REDIS_URL,
        LIMITS_FACTOR="0.2",  # 2 sign-ups an hour per client
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="0",
    )
    try:
        with contextlib.ExitStack() as running:
            worker = Process(
                "worker",
                [
                    *(sys.executable, "manage.py", "db_worker", "--interval", "0.1"),
                    *("--no-startup-delay", "--no-reload"),
                ],
                env,
                folder,
            )
            running.callback(worker.stop)
            a = WebProcess("web-a", env, folder, threads=2)
            running.callback(a.stop)
            b = WebProcess("web-b", env, folder, threads=2)
            running.callback(b.stop)
            a.wait_ready()
            b.wait_ready()
            worker.check_alive()
            yield Cluster(a=a, b=b, worker=worker, redis=shared, inbox=inbox)
    finally:
        smtp.stop()
        shared.flushdb()
        shared.close()


@pytest.fixture
def machines(cluster) -> Cluster:
    """The cluster, with an empty Redis (sessions, pages, limit counters) for each test."""
    cluster.redis.flushdb()
    yield cluster
    cluster.a.check_alive()
    cluster.b.check_alive()
    cluster.worker.check_alive()


def subprocess_password(user) -> None:
    """The test settings hash with MD5, which production does not accept: give the user a
    password the processes under test can check."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def milestones_line(done: int, total: int) -> str:
    return f"{done} of {total} milestones"


ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="needs PostgreSQL: CareerPath runs on many machines with PostgreSQL, not SQLite "
    "(run with DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True)  # the processes must see what the test commits
class TestTwoWebProcessesAndAWorker:
    def test_a_tick_through_a_shows_at_once_on_b(self, machines, ml_guide, learner):
        subprocess_password(learner)
        a, b = machines.a.base, machines.b.base
        total = ml_guide.milestones.filter(archived=False).count()
        milestone = ml_guide.milestones.filter(level=Level.FOUNDATION, archived=False).first()
        browser = Browser()

        login = browser.submit(a, "/accounts/login/", {"username": "learner", "password": PASSWORD})
        assert login.status == HTTPStatus.FOUND, login.text[-2000:]
        assert login.headers["Location"] == "/dashboard/"
        session = browser.cookie(SESSION_COOKIE)
        assert session is not None
        assert session.secure
        # B knows the session A opened, and caches its dashboard in the shared Redis.
        before = browser.get(b, "/dashboard/")
        assert before.status == HTTPStatus.OK
        assert milestones_line(0, total) in before.text

        ticked = browser.submit(
            a,
            status_url(milestone),
            {"status": "done", "next": "/dashboard/"},
            form_page="/dashboard/",
        )

        assert ticked.status == HTTPStatus.FOUND, ticked.text[-2000:]
        assert Progress.objects.get(learner=learner, milestone=milestone).status == (
            ProgressStatus.DONE
        )
        after = browser.get(b, "/dashboard/")
        assert after.status == HTTPStatus.OK
        assert milestones_line(1, total) in after.text
        # The session is in the shared Redis (cached_db), not only in the database.
        assert machines.redis.exists(
            f"careerpath:1:django.contrib.sessions.cached_db{session.value}"
        )

    def test_a_limit_reached_through_a_holds_on_b(self, machines):
        a, b = machines.a.base, machines.b.base

        def sign_up(base: str, n: int) -> Page:
            return Browser().submit(
                base,
                "/accounts/signup/",
                {
                    "username": f"newcomer{n}",
                    "email": f"newcomer{n}@example.com",
                    "password1": "a-long-journey-password-7",
                    "password2": "a-long-journey-password-7",
                },
            )

        for n in range(2):  # the limit: 10 an hour x LIMITS_FACTOR 0.2
            page = sign_up(a, n)
            assert page.status == HTTPStatus.FOUND, page.text[-2000:]

        refused = sign_up(b, 2)

        assert refused.status == HTTPStatus.TOO_MANY_REQUESTS
        assert "Too many accounts were created from your network" in refused.text
        assert set(User.objects.values_list("username", flat=True)) == {
            "newcomer0",
            "newcomer1",
        }
        # One counter in the shared Redis counted all three, whichever process served them.
        [counter] = machines.redis.keys("careerpath-limits:1:limit:sign_up_per_client:*")
        assert int(machines.redis.get(counter)) == 3

    def test_the_worker_sends_the_mail_recorded_through_a(self, machines, make_user):
        person = make_user("forgetful")

        asked = Browser().submit(
            machines.a.base, "/accounts/password_reset/", {"email": person.email}
        )

        assert asked.status == HTTPStatus.FOUND, asked.text[-2000:]
        assert asked.headers["Location"] == "/accounts/password_reset/done/"
        sent = wait_for(
            lambda: (
                Notification.objects.filter(recipient=person.email, sent_at__isnull=False)
                .values_list("subject", flat=True)
                .first()
            ),
            timeout=15,
            what=f"the worker sends the reset mail\n{machines.worker.log()[-3000:]}",
        )
        mails = wait_for(
            lambda: machines.inbox.to(person.email), timeout=5, what="the mail is received"
        )
        assert len(mails) == 1
        assert sent in mails[0]
        assert "http://127.0.0.1/accounts/reset/" in mails[0].replace("=\r\n", "")
        # Both tasks (look the address up, then send) ran, on the worker, successfully.
        tasks = wait_for(
            lambda: (
                not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
                and sorted(DBTaskResult.objects.values_list("task_path", flat=True))
            ),
            timeout=10,
            what="both tasks finish",
        )
        assert tasks == ["tracker.tasks.notification_send", "tracker.tasks.password_reset_send"]


# --- 2. a database that never answers ------------------------------------------------------


class SilentServer:
    """Accepts TCP connections and never sends a byte: a database server that hangs."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._open.append(client)
            self.accepted += 1

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for client in self._open:
            client.close()


CONNECT_TIMEOUT = 3


@pytest.fixture(scope="module")
def hung_database(static_root, tmp_path_factory):
    """gunicorn (gthread, 1 worker, 4 threads) whose database never answers."""
    silent = SilentServer()
    env = process_env(
        static_root,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent.port}/x",
        DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
    )
    web = WebProcess("web-hung-db", env, tmp_path_factory.mktemp("hung-db"), threads=4)
    try:
        web.wait_ready()
        yield web, silent
    finally:
        web.stop()
        silent.close()


class Request(threading.Thread):
    """A GET in a thread of its own, for requests that hang."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.answer: tuple[int, str] | None = None
        self.error: Exception | None = None
        self.start()

    def run(self):
        try:
            self.answer = http_get(self.url, timeout=20)
        except Exception as error:
            self.error = error

    def result(self) -> tuple[int, str]:
        self.join(timeout=25)
        assert self.answer, f"{self.url}: {self.error!r}"
        return self.answer


UNAVAILABLE = '{"status": "error", "database": "unavailable"}'


def test_healthz_answers_503_within_5_s_when_the_database_never_answers(hung_database):
    web, _ = hung_database
    started = time.monotonic()

    status, body = http_get(web.base + "/healthz", timeout=20)

    elapsed = time.monotonic() - started
    assert (status, body) == (HTTPStatus.SERVICE_UNAVAILABLE, UNAVAILABLE)
    assert elapsed < 5, f"/healthz took {elapsed:.1f} s"


def test_hung_health_checks_leave_the_other_threads_free(hung_database):
    web, silent = hung_database
    seen = silent.accepted
    hanging = [Request(web.base + "/healthz") for _ in range(2)]
    wait_for(lambda: silent.accepted >= seen + 2, timeout=5, what="both checks try to connect")

    started = time.monotonic()
    static, css = http_get(web.base + "/static/css/app.css", timeout=5)
    static_took = time.monotonic() - started
    again = Request(web.base + "/healthz")
    wait_for(lambda: silent.accepted >= seen + 3, timeout=5, what="a third check connects")
    still_hanging = [request.is_alive() for request in hanging]

    # Well before a hung check could have let go of its thread.
    assert (static, static_took < CONNECT_TIMEOUT / 2) == (HTTPStatus.OK, True), static_took
    assert "{" in css
    assert still_hanging == [True, True], "the first two checks should still be waiting"
    assert again.result() == (HTTPStatus.SERVICE_UNAVAILABLE, UNAVAILABLE)
    assert [request.result() for request in hanging] == [
        (HTTPStatus.SERVICE_UNAVAILABLE, UNAVAILABLE)
    ] * 2
