"""Small faithful fakes of the axis APIs, as ``httpx.MockTransport`` handlers (loaded by
``tests/adapters/conftest.py``)."""
