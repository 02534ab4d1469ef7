"""Code 128 bar codes drawn as inline SVG (python-barcode), for printed receivers.

Inline ``<svg>`` markup is page content, not a script or an external image, so the
Content-Security-Policy (core/security.py) lets it through and it prints as vectors.
The SVG is only rectangles (no text node): what is encoded never reaches the markup.
"""

from __future__ import annotations

import io

import barcode
from barcode.writer import SVGWriter
from markupsafe import Markup

# 0.33 mm modules, 15 mm bars and a 10-module quiet zone read well on office printers
SVG_OPTIONS = {"module_width": 0.33, "module_height": 15.0, "quiet_zone": 3.3, "write_text": False,
               "compress": False}


def code128_svg(text: str) -> Markup:
    """``text`` as a Code 128 bar code: an ``<svg>`` element to put straight into a page."""
    buf = io.BytesIO()
    barcode.get("code128", text, writer=SVGWriter()).write(buf, options=SVG_OPTIONS)
    svg = buf.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and DOCTYPE: not allowed inside HTML
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="Bar code {_attr(text)}" ', 1))


def _attr(text: str) -> str:
    return str(Markup.escape(text))
