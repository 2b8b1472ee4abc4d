"""Loopback emulators of the cloud APIs relscan reads.

They answer in each API's own wire format so the real SDK clients run against
them unchanged. The demo serves its sample estate from them, the tests use
them, and the benchmark measures against them.
"""
