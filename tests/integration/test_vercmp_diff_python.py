"""Differential test (ctest, label integration): bosun's deb, rpm and pep440 schemes against
python3-apt (apt_pkg.version_compare) and dpkg, python3-rpm (librpm's rpmvercmp) and
python3-packaging, run under Debian's /usr/bin/python3 where those modules live."""
import os
import subprocess
import sys

src = os.environ.get("BSN_SRC", os.getcwd())
diff_dir = os.path.join(src, "tests", "differential")
py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
status = 0
for driver in ("diff_deb_rpm.py", "diff_pep440.py"):
    r = subprocess.run([py, os.path.join(diff_dir, driver)], cwd=diff_dir)
    status = status or r.returncode
sys.exit(status)
