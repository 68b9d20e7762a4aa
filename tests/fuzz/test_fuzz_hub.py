"""Hypothesis fuzz of the local reference axis as a server (issue 8, item 2).

The hub (:class:`~vbdt_exchange.hub.HubApp`) is called in-process through
:class:`~vbdt_exchange.hub.SyncASGITransport` with hostile requests: ``XroadVnpt-*`` header
values with Unicode, CR/LF, NUL and huge values, many or duplicated headers, raw bytes that are
not UTF-8; bodies truncated, multipart with hostile boundaries, declared ``Content-Length``
that lies; paths with odd segments and methods. Requests that pass the HMAC (signed here with
the body's real ``hash-file``) reach the body checks. The contract, for every request:

* the answer is the axis's JSON envelope: ``status`` ``OK``, or ``FAIL`` with a string
  ``ErrorCode`` of the documented table and an ``ErrorDesc``;
* never HTTP 500, except the documented code ``20`` (the store failed);
* a refused request stores nothing (the store's message and delivery counts do not move);
* the application itself never raises.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbdt_exchange.adapters.vdxp_wire import sdk_hash_file, sign_request
from vbdt_exchange.hub import HubApp, Store, SyncASGITransport
from vbdt_exchange.hub.model import HubConfig

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src/vbdt_exchange/examples/cong-van.edxml"
).read_bytes()
SENDER, SENDER_SECRET = "000.00.00.H41", b"s3cret"
RECEIVER, RECEIVER_SECRET = "000.00.00.G22", b"r3ceiver"
CODES = {"10", "11", "12", "13", "15", "18", "19", "20", "30", "31", "32", "40"}
MAX_BODY = 64 * 1024
OPERATIONS = [
    "sendEdoc",
    "getReceivedEdocList",
    "getEdoc",
    "downloadEdoc",
    "updateStatus",
    "getSentEdocList",
    "countReceiveEdoc",
    "countReceiveStatus",
    "getAgenciesList",
    "registerAgency",
    "deleteAgency",
]

BUDGET = os.environ.get("VBDT_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(BUDGET or "100"),
    deadline=None,
    database=None,
    derandomize=BUDGET is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hub:
    def __init__(self) -> None:
        self.store = Store(None)
        self.store.add_system(SENDER, SENDER_SECRET)
        self.store.add_system(RECEIVER, RECEIVER_SECRET)
        self.transport = SyncASGITransport(HubApp(self.store, HubConfig(max_body_bytes=MAX_BODY)))
        self.client = httpx.Client(transport=self.transport, base_url="http://axis")

    def close(self) -> None:
        self.client.close()
        self.transport.close()
        self.store.close()

    def counts(self) -> tuple[int, int]:
        counts = self.store.counts()
        return counts["messages"], counts["deliveries"]

    def request(
        self,
        headers: list[tuple[bytes, bytes]],
        body: bytes = b"",
        *,
        path: str = "/sendEdoc",
        method: str = "POST",
    ) -> dict[str, Any]:
        """Send raw header bytes (no client-side validation) and check the contract."""
        before = self.counts()
        request = httpx.Request(method, f"http://axis{path}", headers=headers, content=body)
        response = self.client.send(request)
        try:
            answer = response.json()
        except ValueError:
            raise AssertionError(
                f"not JSON ({response.status_code}): {response.content[:200]!r}"
            ) from None
        assert isinstance(answer, dict), answer
        assert answer.get("status") in ("OK", "FAIL"), answer
        if answer["status"] == "FAIL":
            assert answer.get("ErrorCode") in CODES, answer
            assert isinstance(answer.get("ErrorDesc"), str), answer
            assert self.counts() == before, ("a refused request stored something", answer)
        if response.status_code >= 500:
            assert answer.get("ErrorCode") == "20", (response.status_code, answer)
        return answer


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    running = Hub()
    yield running
    running.close()


def signed(
    params: list[tuple[str, str]],
    *,
    system: str = SENDER,
    secret: bytes = SENDER_SECRET,
    content_type: str = "application/octet-stream",
) -> list[tuple[bytes, bytes]]:
    headers = sign_request(params, system_id=system, secret=secret, content_type=content_type)
    return [(k.encode(), v.encode()) for k, v in headers.items()]


def send_params(body: bytes) -> list[tuple[str, str]]:
    return [
        ("servicetype", "eDoc"),
        ("messagetype", "edoc"),
        ("hash-file", sdk_hash_file(body)),
        ("from", SENDER),
    ]


def test_control_send_is_stored(hub: Hub) -> None:
    before = hub.counts()
    answer = hub.request(signed(send_params(EXAMPLE)), EXAMPLE)
    assert answer["status"] == "OK", answer
    assert hub.counts()[0] == before[0] + 1


# -- headers ------------------------------------------------------------------------------------

HEADER_NAMES = [
    "XroadVnpt-systemid",
    "XroadVnpt-servicetype",
    "XroadVnpt-messagetype",
    "XroadVnpt-from",
    "XroadVnpt-hash-file",
    "XroadVnpt-timestamp",
    "XroadVnpt-Content-Type",
    "XroadVnpt-sign-header",
    "XroadVnpt-hash-header",
    "XroadVnpt-sign-header-key",
    "XroadVnpt-version",
    "XroadVnpt-docId",
    "XroadVnpt-status",
    "Content-Type",
    "xroadvnpt-SYSTEMID",
    "XroadVnpt-",
    "XroadVnpt-x" * 50,
]
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "\r\n",
            "a\r\nX-Injected: 1",
            "\x00",
            "é",
            "Tiếng Việt",
            "\ud7ff",
            "{}",
            "[]",
            '{"XroadVnpt-systemid":"000.00.00.H41"}',
            "null",
            "1e999",
            '"' * 100,
            "\\u0000",
            ";;;;",
        ]
    ),
    st.integers(1, 200_000).map(lambda n: "A" * n),
)


def _encode(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


@st.composite
def header_mutations(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """``(action, header name, value)`` edits of a signed request's headers."""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["set", "add", "drop", "raw"]),
                st.sampled_from(HEADER_NAMES),
                VALUES,
            ),
            min_size=1,
            max_size=4,
        )
    )


@FUZZ
@given(header_mutations(), st.booleans())
def test_hostile_headers(hub: Hub, edits: list[tuple[str, str, str]], send: bool) -> None:
    body = EXAMPLE if send else b"{}"
    params = send_params(body) if send else [("servicetype", "eDoc"), ("messagetype", "edoc")]
    headers = signed(
        params, content_type="application/octet-stream" if send else "application/json"
    )
    for action, name, value in edits:
        key = name.encode()
        if action == "drop":
            headers = [(k, v) for k, v in headers if k.lower() != key.lower()]
        elif action == "add":
            headers.append((key, _encode(value)))
        elif action == "set":
            headers = [(k, v) for k, v in headers if k.lower() != key.lower()]
            headers.append((key, _encode(value)))
        else:  # bytes that are not UTF-8
            headers.append((key, b"\xff\xfe" + _encode(value)[:64] + b"\xc3"))
    hub.request(headers, body, path="/sendEdoc" if send else "/getReceivedEdocList")


@pytest.mark.parametrize("count", [64, 1000, 5000])
def test_many_headers(hub: Hub, count: int) -> None:
    headers = signed([("servicetype", "eDoc"), ("messagetype", "edoc")])
    headers += [(f"XroadVnpt-x{i}".encode(), b"v" * 10) for i in range(count)]
    hub.request(headers, b"{}", path="/getReceivedEdocList")


# -- bodies ---------------------------------------------------------------------------------------

BOUNDARIES = ["x", "", " ", "a" * 71, "a" * 300, '"quoted"', "--", "\r\n", "é", "b;c=d", "(x)"]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str, list[tuple[bytes, bytes]]]:
    """``(body, content type, extra raw headers)``; signed with the body's real hash-file."""
    kind = draw(st.sampled_from(["truncated", "multipart", "garbage", "big", "lying-length"]))
    extra: list[tuple[bytes, bytes]] = []
    content_type = "application/octet-stream"
    if kind == "truncated":
        body = EXAMPLE[: draw(st.integers(0, len(EXAMPLE) - 20))]  # the root left open
    elif kind == "multipart":
        boundary = draw(st.sampled_from(BOUNDARIES))
        declared = draw(st.sampled_from([boundary, boundary + "x", '"' + boundary + '"']))
        content_type = f"multipart/form-data; boundary={declared}"
        part = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file_doc"; '
            f'filename="a.edxml"\r\nContent-Type: application/xml\r\n\r\n'
        ).encode("utf-8", "surrogatepass") + EXAMPLE
        ending = draw(st.sampled_from([f"\r\n--{boundary}--\r\n", "", f"\r\n--{boundary}", "\r\n"]))
        body = part + ending.encode()
        cut = draw(st.integers(0, 3))
        if cut:
            body = body[: len(body) * cut // 4]
    elif kind == "garbage":
        body = draw(st.binary(max_size=2000))
    elif kind == "big":
        body = b"<edXML>" + b"A" * (MAX_BODY + draw(st.integers(1, 1000)))
    else:
        body = EXAMPLE
        extra.append(
            (
                b"content-length",
                draw(st.sampled_from([b"0", b"1", b"99999999999", b"-1", b"abc", b"4294967296"])),
            )
        )
    return body, content_type, extra


@FUZZ
@given(bodies())
def test_hostile_bodies(hub: Hub, case: tuple[bytes, str, list[tuple[bytes, bytes]]]) -> None:
    body, content_type, extra = case
    headers = signed(send_params(body), content_type=content_type) + extra
    answer = hub.request(headers, body)
    if body != EXAMPLE and not content_type.startswith("multipart"):
        assert answer["status"] == "FAIL", answer


# -- paths and methods ----------------------------------------------------------------------------

SEGMENTS = st.one_of(
    st.sampled_from(OPERATIONS),
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "%2e%2e",
            "%00",
            "%ff",
            "sendEdoc%2F..",
            "SENDEDOC",
            "a" * 5000,
            "sendEdoc;x=1",
            "sendEdoc?x=1",
            "ví-dụ",
            "%E2%80%AE",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20),
)


@FUZZ
@given(
    st.lists(SEGMENTS, min_size=0, max_size=4),
    st.sampled_from(["POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "BREW"]),
    st.booleans(),
)
def test_hostile_paths(hub: Hub, segments: list[str], method: str, sign: bool) -> None:
    path = "/" + "/".join(segments)
    headers = signed([("servicetype", "eDoc"), ("messagetype", "edoc")]) if sign else []
    if method == "HEAD":
        response = hub.client.send(
            httpx.Request(
                method, httpx.URL("http://axis").copy_with(raw_path=_raw(path)), headers=headers
            )
        )
        assert response.status_code < 500
        return
    before = hub.counts()
    response = hub.client.send(
        httpx.Request(
            method,
            httpx.URL("http://axis").copy_with(raw_path=_raw(path)),
            headers=headers,
            content=b"{}",
        )
    )
    answer = json.loads(response.content)
    assert answer["status"] in ("OK", "FAIL"), answer
    if answer["status"] == "FAIL":
        assert answer["ErrorCode"] in CODES, answer
    assert response.status_code < 500, answer
    assert hub.counts() == before


def _raw(path: str) -> bytes:
    """The path percent-encoded (the hub sees it decoded: control characters, Unicode)."""
    from urllib.parse import quote

    return quote(path, safe="/%;=").encode("ascii")
