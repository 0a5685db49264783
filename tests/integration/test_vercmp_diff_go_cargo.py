"""Differential test (ctest, label integration): bosun's golang and cargo schemes against
golang.org/x/mod/semver and the semver crate, built offline from Debian's
golang-golang-x-mod-dev and librust-semver-dev (see tests/differential/diff_go_cargo.py)."""
import os
import subprocess
import sys
import tempfile

src = os.environ.get("BSN_SRC", os.getcwd())
diff_dir = os.path.join(src, "tests", "differential")
with tempfile.TemporaryDirectory() as work:
    r = subprocess.run([sys.executable, os.path.join(diff_dir, "diff_go_cargo.py"), work],
                       cwd=diff_dir)
sys.exit(r.returncode)
