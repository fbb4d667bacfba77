"""The web explorer's Jinja2 templates and static assets (CSS, JS, the offline world map).

Served by :mod:`eventwire.api`; this package holds data only. Every asset is local: the pages
load nothing from other hosts.
"""

from pathlib import Path

__all__ = ["STATIC_DIR", "TEMPLATES_DIR"]

STATIC_DIR = Path(__file__).with_name("static")
TEMPLATES_DIR = Path(__file__).with_name("templates")
