"""Open an HTML report in headless Chromium (Debian's package) and report what rendered.

A probe script is injected into a copy of the page: it records JavaScript errors and
console errors, then, after load, writes a JSON verdict into the DOM, which Chromium's
``--dump-dom`` returns. No driver or extra Python package is needed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=30000"]

PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push('error: ' + e.message));
window.addEventListener('unhandledrejection', e => window.__errors.push('rejection: ' + e.reason));
(function () {
  const ce = console.error;
  console.error = function (...a) { window.__errors.push('console: ' + a.join(' ')); ce(...a); };
})();
window.addEventListener('load', () => setTimeout(() => {
  const plots = [...document.querySelectorAll('.plotly-graph-div')];
  const axes = p => Object.keys(p._fullLayout || {}).filter(k => /^[xy]axis\\d*$/.test(k));
  const out = {
    errors: window.__errors,
    plots: plots.map(p => ({
      id: p.id,
      rendered: !!(p._fullLayout && p.querySelector('.main-svg')),
      traces: (p._fullData || []).map(t => t.type),
      points: (p._fullData || []).reduce((n, t) => n + ((t.type === 'sankey' ?
                                    t.node.label : (t.z || t.x || t.y)) || []).length, 0),
      unlabelled: axes(p).filter(a => p._fullLayout[a].visible !== false &&
                                      !(p._fullLayout[a].title && p._fullLayout[a].title.text)),
    })),
    headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
  };
  const pre = document.createElement('pre');
  pre.id = '__probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 300));
</script>"""


def chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _run(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    exe = chromium()
    assert exe, "Chromium not found: run tests/install_browser.sh (the README's test command)"
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def probe(report: Path, workdir: Path) -> dict:
    """Load ``report`` (a probed copy of it) and return the probe's verdict."""
    html = report.read_text(encoding="utf-8")
    probed = workdir / f"probed_{report.parent.name}_{report.name}"
    probed.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    proc = _run(["--dump-dom", probed.as_uri()], workdir / "profile")
    m = re.search(r'<pre id="__probe">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"the page never finished loading:\n{proc.stderr[-2000:]}"
    import html as htmlmod

    return json.loads(htmlmod.unescape(m.group(1)))


def screenshot(report: Path, png: Path, workdir: Path, height: int = 6000) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--screenshot={png}", f"--window-size=1300,{height}", report.as_uri()],
         workdir / "profile")
    return png
