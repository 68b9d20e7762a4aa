"""pytest fixtures for code that exchanges documents: a local axis and a package factory.

Installed with the library and registered through the ``pytest11`` entry point, the plugin is
inert until a test asks for one of its fixtures (importing it imports only pytest). Without the
entry point, enable it with ``-p vbdt_exchange.testing.pytest_plugin`` or
``pytest_plugins = ["vbdt_exchange.testing.pytest_plugin"]`` in a ``conftest.py``.

Fixtures:

``vbdt_axis``
    a :class:`~vbdt_exchange.testing.axis.LocalAxis` serving on a free loopback port for the
    test, with two registered systems (``vbdt_axis.systems``: the sender ``000.00.00.H29`` and
    the receiver ``000.00.00.G22``, random secrets); its store is removed afterwards.
``vbdt_axis_factory``
    ``vbdt_axis_factory(systems=..., db=..., config=...)`` starts more axes (other systems, a
    kept database, a :class:`~vbdt_exchange.hub.HubConfig`); all are stopped after the test.
``vbdt_package_factory``
    ``vbdt_package_factory(from_=..., to=[...], subject=..., attachments={name: bytes})``
    returns the bytes of a new, valid edoc package, with a fresh number (and ``DocumentId``)
    on every call; ``vbdt_package_factory.status(package_bytes, code, from_=...)`` the bytes
    of a status package about one.

Example::

    def test_delivery(vbdt_axis, vbdt_package_factory):
        sender, receiver = vbdt_axis.systems
        package = vbdt_package_factory(from_=sender.system_id, to=[receiver.system_id])
        ...  # send it through your client to vbdt_axis.url, receive it as the receiver
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from vbdt_exchange.testing.axis import LocalAxis

__all__ = [
    "PackageFactory",
    "vbdt_axis",
    "vbdt_axis_factory",
    "vbdt_package_factory",
]


class PackageFactory:
    """Builds small valid packages for tests (the ``vbdt_package_factory`` fixture)."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)

    def __call__(
        self,
        *,
        from_: str = "000.00.00.H29",
        to: Sequence[str] = ("000.00.00.G22",),
        subject: str = "Văn bản thử nghiệm",
        notation: str = "VP",
        attachments: Mapping[str, bytes] | None = None,
        date: datetime.date | None = None,
    ) -> bytes:
        """The bytes of a new edoc package from ``from_`` to every organ id of ``to``.

        :param attachments: file name → content (a PDF named ``van-ban.pdf`` by default).
        """
        from vbdt_exchange.envelope.build import new_edoc
        from vbdt_exchange.envelope.models import Attachment, Organization
        from vbdt_exchange.envelope.writer import to_bytes

        if attachments is None:
            attachments = {"van-ban.pdf": b"%PDF-1.4\n% test document\n%%EOF\n"}
        number = str(next(self._numbers))
        package = new_edoc(
            from_=Organization(organ_id=from_, organ_name=f"Đơn vị {from_}"),
            to=[Organization(organ_id=o, organ_name=f"Đơn vị {o}") for o in to],
            number=number,
            notation=notation,
            date=date or datetime.date.today(),
            subject=f"{subject} số {number}",
            attachments=[Attachment.from_bytes(name, data) for name, data in attachments.items()],
        )
        return to_bytes(package)

    def status(
        self,
        package: bytes,
        code: str = "01",
        *,
        from_: str | None = None,
        to: str | None = None,
    ) -> bytes:
        """The bytes of a status package ``code`` about ``package``.

        :param from_: who sends it; default the package's first receiver (its sender for 13).
        :param to: who it is addressed to; default the package's sender (required for 13).
        """
        from vbdt_exchange.envelope.models import EdocPackage
        from vbdt_exchange.envelope.reader import read
        from vbdt_exchange.envelope.writer import to_bytes
        from vbdt_exchange.status.build import status_for

        with read(package) as result:
            edoc = result.package
        if not isinstance(edoc, EdocPackage):
            raise TypeError("status() needs the bytes of an edoc package")
        if from_ is None:
            if code == "13":
                from_ = edoc.from_.organ_id if edoc.from_ else None
            else:
                from_ = edoc.to[0].organ_id if edoc.to else None
        if not from_:
            raise ValueError("give from_: the package does not say who would send the status")
        return to_bytes(status_for(edoc, code, from_=from_, to=to))


@pytest.fixture
def vbdt_package_factory() -> PackageFactory:
    """Build valid edoc and status packages (bytes) with fresh numbers."""
    return PackageFactory()


@pytest.fixture
def vbdt_axis_factory() -> Iterator[Any]:
    """Start local axes with other systems, a kept database or another configuration."""
    from vbdt_exchange.testing.axis import DEFAULT_SYSTEMS, LocalAxis

    started: list[LocalAxis] = []

    def factory(systems: Any = DEFAULT_SYSTEMS, **kwargs: Any) -> LocalAxis:
        axis = LocalAxis(systems, **kwargs)
        started.append(axis)
        return axis.start()

    yield factory
    for axis in reversed(started):
        axis.stop()


@pytest.fixture
def vbdt_axis(vbdt_axis_factory: Any) -> LocalAxis:
    """A local axis on a free loopback port with two registered systems (sender, receiver)."""
    axis: LocalAxis = vbdt_axis_factory()
    return axis
