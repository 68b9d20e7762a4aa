"""Fixtures of the adapter tests: packages, and the fakes of the axis APIs in ``fakes/``."""

from __future__ import annotations

import datetime
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from vbdt_exchange.envelope import Attachment, Organization, new_edoc, to_bytes
from vbdt_exchange.status.build import status_for

HERE = Path(__file__).parent
SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"
OTHER = "000.00.00.G10"
SECRETS = {SENDER: b"s3cret", RECEIVER: b"other-secret", OTHER: b"third"}


def _load(name: str) -> ModuleType:
    key = f"_vbdt_adapter_fakes_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, HERE / "fakes" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def _edoc(
    from_: str = SENDER,
    to: tuple[str, ...] = (RECEIVER,),
    subject: str = "Về việc thử nghiệm trục liên thông",
    attachment: bytes | None = None,
    number: str = "12",
) -> bytes:
    package = new_edoc(
        from_=Organization(organ_id=from_, organ_name="Văn phòng UBND tỉnh"),
        to=[Organization(organ_id=t, organ_name=f"Đơn vị {t}") for t in to],
        number=number,
        notation="UBND-VP",
        date=datetime.date(2026, 11, 22),
        subject=subject,
        attachments=(
            [Attachment.from_bytes("baocao.pdf", attachment, content_type="application/pdf")]
            if attachment is not None
            else []
        ),
        sent_at=datetime.datetime(2026, 11, 22, 9, 0, 0),
    )
    return to_bytes(package)


@pytest.fixture
def edoc() -> Callable[..., bytes]:
    """``edoc(from_=..., to=(...), subject=..., attachment=bytes)`` -> an edoc package's bytes."""
    return _edoc


@pytest.fixture
def status_package() -> Callable[..., bytes]:
    """``status_package(code, from_=RECEIVER, about=edoc bytes)`` -> a status package's bytes."""
    from vbdt_exchange.envelope import read

    def make(code: str = "01", *, from_: str = RECEIVER, about: bytes | None = None) -> bytes:
        with read(about or _edoc()) as result:
            package = result.package
        assert package.kind == "edoc"
        return to_bytes(
            status_for(
                package,  # type: ignore[arg-type]
                code,
                from_=from_,
                timestamp=datetime.datetime(2026, 11, 22, 10, 0, 0),
            )
        )

    return make


@pytest.fixture
def fakes_vdxp() -> ModuleType:
    return _load("vdxp")


@pytest.fixture
def fake_vdxp(fakes_vdxp: ModuleType) -> Any:
    """A fresh fake national axis knowing SENDER, RECEIVER and OTHER."""
    return fakes_vdxp.FakeVdxp(SECRETS)


@pytest.fixture
def vdxp_client(fake_vdxp: Any) -> Iterator[Callable[..., Any]]:
    """``vdxp_client(system_id=SENDER, **config)`` -> a VdxpClient talking to ``fake_vdxp``."""
    from vbdt_exchange.adapters._http import RetryPolicy
    from vbdt_exchange.adapters.vdxp import VdxpClient, VdxpConfig

    opened: list[VdxpClient] = []

    def make(system_id: str = SENDER, *, sleep: Any = None, **options: Any) -> VdxpClient:
        options.setdefault("secret", SECRETS.get(system_id, b"x"))
        options.setdefault("retry", RetryPolicy(attempts=3, backoff=0.0))
        options.setdefault("test", True)
        config = VdxpConfig("http://axis.test/vxp", system_id, **options)
        kwargs: dict[str, Any] = {"transport": fake_vdxp.transport}
        if sleep is not None:
            kwargs["sleep"] = sleep
        client = VdxpClient(config, **kwargs)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def fakes_lgsp() -> ModuleType:
    return _load("lgsp")


@pytest.fixture
def clock() -> Iterator[list[float]]:
    """A settable monotonic clock: ``clock[0]`` is the current time in seconds."""
    return [1000.0]
