"""Differential test (ctest, label integration): bosun's maven scheme against Maven's
ComparableVersion from Debian's maven-artifact jar (see tests/differential/diff_maven.py for
the grammar both Maven 3.8 and 4 agree on)."""
import os
import subprocess
import sys
import tempfile

src = os.environ.get("BSN_SRC", os.getcwd())
diff_dir = os.path.join(src, "tests", "differential")
with tempfile.TemporaryDirectory() as work:
    r = subprocess.run([sys.executable, os.path.join(diff_dir, "diff_maven.py"), work],
                       cwd=diff_dir)
sys.exit(r.returncode)
