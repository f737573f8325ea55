"""The serving path's HTTP/1.1 client (backends/h1.py, h1pool.py, direct.py): TLS, IPv6 and nginx over
real sockets, and the parser and flow control without sockets."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import ipaddress
import itertools
import socket
import ssl
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.h1 import HIGH_WATER, Connection
from backends.h1pool import Pool
from tests.backends._h1_client_helpers import BODY, Upstream, chunked, client, keep_answering, ok, pool_of
from tests.conftest import require_tool

pytestmark = pytest.mark.anyio


# --- TLS and addresses ----------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (the `cryptography` package)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


async def test_https_verifies_the_certificate_against_httpx_trust(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    async with Upstream(keep_answering, tls=server_tls) as up:
        async with client(up.url("https")) as b:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await b.post_json("p", BODY)  # self-signed: not in httpx's CA bundle

        trusting = httpx.create_ssl_context(verify=ssl.create_default_context(cafile=str(cert)), trust_env=False)
        monkeypatch.setattr(httpx, "create_ssl_context", lambda **kwargs: trusting)
        for host in ("127.0.0.1", "localhost"):
            async with client(up.url("https").replace("127.0.0.1", host)) as b:
                assert [(await b.post_json("p", BODY)).content for _ in range(2)] == [b'{"ok":true}'] * 2
                assert pool_of(b).count == 1


async def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 in this Python")
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this host")
    async with Upstream(keep_answering, host="::1") as up, client(up.url()) as b:
        assert (await b.post_json("p", BODY)).status_code == 200
    assert up.requests[0][1].split(b"\r\n")[1] == f"Host: [::1]:{up.port}".encode()


async def test_against_nginx() -> None:
    """A real HTTP/1.1 server: canned completions and streams, over one kept-alive connection each."""
    require_tool("nginx")
    import tempfile

    from bench import gateway_bench as gb

    workdir = tempfile.TemporaryDirectory(prefix="h1-nginx-")  # not tmp_path: nginx's workers (nobody) must read it
    nginx = gb.start_nginx(Path(workdir.name))
    try:
        async with client(f"http://127.0.0.1:{nginx.port}/v1", max_connections=2) as plain, client(f"http://127.0.0.1:{nginx.port}/sse/v1") as sse:
            for _ in range(3):
                assert (await plain.post_json("chat/completions", BODY)).content == gb.canned_completion()
                response = await sse.post_json("chat/completions", BODY, stream=True)
                assert await response.aread() == gb.canned_stream()
                await response.aclose()
            results = await asyncio.gather(*(plain.post_json("chat/completions", BODY) for _ in range(20)))
            assert {r.content for r in results} == {gb.canned_completion()}
            assert pool_of(plain).count == 2 and pool_of(sse).count == 1
    finally:
        nginx.stop()
        workdir.cleanup()


# --- the parser and flow control, without sockets -------------------------------------------


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.paused = self.aborted = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted


async def connection(stream: bool) -> tuple[Connection, FakeTransport, Pool]:
    pool = Pool("h", 1, ssl_context=None, limit=1, keepalive_expiry=5, connect_timeout=1, read_timeout=5, pool_timeout=1)
    conn, transport = Connection(pool), FakeTransport()
    conn.connection_made(transport)  # type: ignore[arg-type]
    pool.count = 1
    conn.send(b"request", stream, pool.loop.time())
    return conn, transport, pool


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=3000),
    sizes=st.lists(st.integers(1, 700), max_size=6),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
    coding=st.sampled_from(["identity", "gzip"]),
    framing=st.sampled_from(["length", "chunked"]),
)
def test_any_split_of_a_valid_response_gives_the_same_body(body: bytes, sizes: list[int], cuts: list[int], coding: str, framing: str) -> None:
    payload = gzip.compress(body) if coding == "gzip" else body
    if framing == "length":
        wire = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload
    else:
        parts, at = [], 0
        for size in [*sizes, len(payload)]:
            parts.append(payload[at : at + size])
            at += size
        wire = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + chunked(*[p for p in parts if p])

    async def check() -> None:
        conn, transport, pool = await connection(stream=True)
        received = []
        for piece in split(wire, cuts):
            conn.data_received(piece)
            received += conn.take()
        assert conn.done and conn.error is None and conn.keep_alive and conn.status == 200
        assert b"".join(received) == body
        conn.finish()
        assert pool.idle == [conn] and not transport.aborted

    asyncio.run(check())


async def test_flow_control_pauses_reading_while_the_reader_lags() -> None:
    conn, transport, _ = await connection(stream=True)
    conn.data_received(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    block = b"x" * 65536
    for _ in range(HIGH_WATER // len(block) + 1):
        conn.data_received(b"%x\r\n%s\r\n" % (len(block), block))
    assert transport.paused
    assert sum(map(len, conn.take())) > HIGH_WATER and not transport.paused
    conn.close()


async def test_unsolicited_bytes_on_an_idle_connection_close_it() -> None:
    conn, transport, pool = await connection(stream=False)
    conn.data_received(ok())
    conn.finish()
    assert pool.idle == [conn]
    conn.data_received(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    assert transport.aborted and pool.idle == [] and pool.count == 0
