"""The pytest plugin, run the way a user runs it: in a separate pytest session (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

PLUGIN = "vbdt_exchange.testing.pytest_plugin"


def plugin_args() -> list[str]:
    """``-p PLUGIN`` when the plugin is not installed through its ``pytest11`` entry point
    (a source tree); nothing when it is — pytest would refuse to register it twice."""
    import importlib.metadata

    installed = any(ep.value == PLUGIN for ep in importlib.metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", PLUGIN]


USER_TEST = """
import base64, hashlib, hmac, json

import httpx


def sign(system, params, content_type):
    values = {"systemid": system.system_id, "timestamp": "22112026T000518+0709",
              "Content-Type": content_type, **params}
    headers = {f"XroadVnpt-{k}": v for k, v in values.items()}
    text = json.dumps(headers, separators=(",", ":"))
    headers.update({
        "XroadVnpt-sign-header-key": ";".join(values),
        "XroadVnpt-sign-header": text,
        "XroadVnpt-hash-header": hmac.new(system.secret.encode(), text.encode(),
                                          hashlib.sha256).hexdigest(),
        "Content-Type": content_type,
    })
    return headers


def test_exchange(vbdt_axis, vbdt_package_factory):
    sender, receiver = vbdt_axis.systems
    assert vbdt_axis.url.startswith("http://127.0.0.1:")
    package = vbdt_package_factory(from_=sender.system_id, to=[receiver.system_id])
    assert package != vbdt_package_factory(from_=sender.system_id, to=[receiver.system_id])
    digest = "".join(format(b, "x") for b in hashlib.sha256(package).digest())
    params = {"servicetype": "eDoc", "messagetype": "edoc", "from": sender.system_id,
              "hash-file": digest}
    with httpx.Client(base_url=vbdt_axis.url) as client:
        sent = client.post("/sendEdoc", content=package + b"\\r\\n",
                           headers=sign(sender, params, "application/octet-stream")).json()
        assert sent["status"] == "OK", sent
        listed = client.post("/getReceivedEdocList",
                             headers=sign(receiver, {"messagetype": "edoc"},
                                          "application/json")).json()
        (item,) = listed["data"]
        got = client.post("/getEdoc", headers=sign(receiver, {"docId": item["docId"]},
                                                   "application/json")).json()
        assert base64.b64decode(got["data"]) == package


def test_status_factory(vbdt_package_factory):
    import vbdt_exchange
    package = vbdt_package_factory(to=["000.00.00.G22"])
    status = vbdt_exchange.read(vbdt_package_factory.status(package, "03")).package
    assert (status.kind, status.status_code, status.from_.organ_id,
            status.response_for.organ_id) == ("status", "03", "000.00.00.G22", "000.00.00.H29")


def test_more_axes(vbdt_axis_factory, tmp_path):
    first = vbdt_axis_factory(["000.00.00.A01"], db=tmp_path / "a.db")
    second = vbdt_axis_factory()
    assert first.url != second.url
    assert [s.system_id for s in first.systems] == ["000.00.00.A01"]
    assert (tmp_path / "a.db").exists()
"""


def test_fixtures_work_in_a_user_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess(*plugin_args(), "-q", "-W", "error")
    result.assert_outcomes(passed=3)


def test_the_plugin_is_inert_until_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_nothing_heavy_was_imported():
            assert "vbdt_exchange.testing.pytest_plugin" in sys.modules
            assert "uvicorn" not in sys.modules
            assert "vbdt_exchange.hub" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-q", "-W", "error")
    result.assert_outcomes(passed=1)


def test_axes_are_stopped_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_stop="""
        import httpx, pytest

        seen = []

        def test_one(vbdt_axis):
            seen.append(vbdt_axis.url)
            assert httpx.post(vbdt_axis.url + "/getEdoc").status_code == 401

        def test_after():
            with pytest.raises(httpx.ConnectError):
                httpx.post(seen[0] + "/getEdoc")
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-q", "-W", "error")
    result.assert_outcomes(passed=2)


def test_fixture_names_are_listed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_subprocess(*plugin_args(), "--fixtures", "-q")
    result.stdout.fnmatch_lines(
        ["*vbdt_package_factory -- *", "*vbdt_axis_factory -- *", "*vbdt_axis -- *"]
    )


def test_the_pytest11_entry_point_loads_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry point line the project declares, in a stand-in distribution: the fixtures are
    there without ``-p``, and ``-p no:vbdt_exchange`` turns the plugin off."""
    site = pytester.mkdir("site")
    dist = site / "vbdt_exchange_entry_point_check-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: vbdt-exchange-entry-point-check\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text(f"[pytest11]\nvbdt_exchange = {PLUGIN}\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    pytester.makepyfile(
        test_ep="""
        def test_fixture(vbdt_package_factory):
            assert vbdt_package_factory().startswith(b"<?xml")
        """
    )
    pytester.runpytest_subprocess("-q", "-W", "error").assert_outcomes(passed=1)
    off = pytester.runpytest_subprocess("-q", "-p", "no:vbdt_exchange")
    off.assert_outcomes(errors=1)
    off.stdout.fnmatch_lines(["*fixture 'vbdt_package_factory' not found*"])
