"""What the tests share: helpers (clock, HTTP recorder, waiting, live servers, stand-ins) and the
fixture plugins tests/conftest.py loads (supervisord, fakes)."""
