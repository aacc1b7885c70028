"""test_browser.py: runs the headless-Chromium walk (tests/browser/walk.mjs) against the private stack."""
import os
import pathlib
import shutil
import subprocess

import pytest

from support import npm_ci

BROWSER_DIR = pathlib.Path(__file__).resolve().parents[1] / "browser"
CHROMIUM = "/usr/bin/chromium"


def test_browser_walk(site_url):
    node = shutil.which("node")
    if node is None or not os.path.exists(CHROMIUM):
        pytest.skip("node or Debian's chromium is not installed (make deps)")
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    output = pathlib.Path(os.environ.get("TEST_OUTPUT") or BROWSER_DIR.parent / "output")
    env["SCREENSHOT_DIR"] = str(output / "screenshots")
    npm_ci(BROWSER_DIR, "playwright-core")
    walk = subprocess.run([node, "walk.mjs"], cwd=BROWSER_DIR, env=dict(env, SITE_URL=site_url),
                          capture_output=True, text=True, timeout=180)
    print(walk.stdout)
    assert walk.returncode == 0, f"the browser walk failed:\n{walk.stdout}\n{walk.stderr}"
    for name in ("home", "login", "search", "movie", "favorites", "for-you", "import", "import-preview", "imported"):
        shot = output / "screenshots" / f"{name}.png"
        assert shot.is_file() and shot.stat().st_size > 10000, shot
