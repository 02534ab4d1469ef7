"""A supplier simulator: a real HTTP server (standard library only) that keeps supplier orders,
lets a test or a person change them, fails on request, and sends signed change notifications."""

from .server import Simulator, serve

__all__ = ["Simulator", "serve"]
