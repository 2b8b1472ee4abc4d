"""The loopback emulator of oci's APIs, for the demo, `assess` and the tests:
the wire format, paging and errors of the real service (`app.py` starts it)."""
