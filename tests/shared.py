"""Where the shared reference material lives: ``../shared`` beside the checkout, or STEWARD_SHARED_DIR."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STEWARD_SHARED_DIR", ROOT.parent / "shared"))
