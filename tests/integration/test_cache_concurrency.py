#!/usr/bin/env python3
"""The layer cache under concurrency and damage (issue 10):

  - eight `bosun image` processes, each on a different image built on one shared base layer,
    run at once with one --cache-dir (cold, three rounds; then warm): all succeed, each result
    equals that image's --no-cache scan and the packages written below by hand; the cache
    holds one entry per distinct layer (the base once) and no temporary files;
  - eight processes on the same image at once: all succeed with identical results;
  - a corrupt entry (a flipped byte, a truncated file, garbage) is ignored, the layer analysed
    again and the entry rewritten, with the same result;
  - a warm rescan reads no layer bytes: after the cold scan the layer blobs are deleted (the
    --no-cache scan then fails, so the blobs are really gone) and the warm scan still gives
    the same result;
  - an image cannot borrow another layer's entry by naming its diff_id: an image whose config
    claims the shared base layer's diff_id for a blob of its own is reported from its own
    bytes, before and after the real base was cached, and does not spoil the base's entry;
  - entries of the old key scheme (layers/v1) are removed by the first write.

Images are OCI layout directories built by tests/tools/mkimage.py; the expected packages come
from the specs below.
"""

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

BOSUN = os.environ.get("BOSUN", "build/dev/bosun")
SRC = os.environ.get("BSN_SRC", ".")
MKIMAGE = os.path.join(SRC, "tests/tools/mkimage.py")
N_IMAGES = 8

FAILS = []
PASSES = 0


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL:", what, flush=True)


def status(pkgs):
    return "\n".join(f"Package: {n}\nStatus: install ok installed\nArchitecture: amd64\n"
                     f"Version: {v}\nDescription: test package {n}\n" for n, v in pkgs)


OS_RELEASE = ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
              'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n')
BASE_DEBS = [(f"base-pkg-{k}", f"1.{k}-1") for k in range(40)]


def image_spec(i):
    """Image i: the shared base layer (identical bytes in every image) plus its own layer with
    one npm package and a rewritten dpkg status adding one package."""
    base = {"compression": "gzip", "created_by": "ADD base /", "entries": [
        {"path": "etc/os-release", "content": OS_RELEASE},
        {"path": "var/lib/dpkg/status", "content": status(BASE_DEBS)},
        {"path": "usr/share/filler.bin", "size": 3 * 1024 * 1024, "byte": "z"},
    ]}
    own = {"compression": "gzip" if i % 2 == 0 else "zstd", "created_by": f"RUN install {i}",
           "entries": [
               {"path": "var/lib/dpkg/status",
                "content": status(BASE_DEBS + [(f"extra-{i}", f"{i}.0-1")])},
               {"path": f"app/node_modules/mod-{i}/package.json",
                "content": json.dumps({"name": f"mod-{i}", "version": f"{i}.2.3"})},
           ]}
    return {"format": "oci", "images": [{"tags": [f"img{i}:1"], "layers": [base, own]}]}


def expected(i):
    return set(BASE_DEBS) | {(f"extra-{i}", f"{i}.0-1"), (f"mod-{i}", f"{i}.2.3")}


def mkimage(tmp, name, sp):
    out = os.path.join(tmp, name)
    p = subprocess.run([sys.executable, MKIMAGE, "-o", out, "--spec", "-"],
                       input=json.dumps(sp), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("mkimage failed: " + p.stderr)
    return out, json.loads(p.stdout)


def scan(target, cache=None):
    args = [BOSUN, "image", "--scanners", "none", "-q", "-f", "json"]
    args += ["--cache-dir", cache] if cache else ["--no-cache"]
    p = subprocess.run(args + [f"oci:{target}"], capture_output=True, text=True)
    rep = json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else None
    return p.returncode, rep, p.stderr.strip()


def comparable(rep):
    rep = dict(rep)
    rep.pop("created_at", None)
    rep["artifact"] = {k: v for k, v in rep["artifact"].items() if k != "target"}
    return json.dumps(rep, sort_keys=True)


def pkgs(rep):
    return {(x["name"], x["version"]) for x in rep["packages"]}


def entries(cache):
    """Cache entry files (layers/v2/XX/KEY.bin) and anything else left in the cache."""
    ents, other = [], []
    for dp, _, files in os.walk(cache):
        for f in files:
            (ents if f.endswith(".bin") else other).append(os.path.join(dp, f))
    return sorted(ents), other


def run_many(jobs):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs)) as ex:
        return list(ex.map(lambda a: scan(*a), jobs))


def layer_blobs(layout, summ):
    return [os.path.join(layout, "blobs/sha256", l["digest"].split(":")[1])
            for l in summ["images"][0]["layers"]]


def test_shared_base(tmp):
    imgs, summs = [], []
    for i in range(N_IMAGES):
        path, summ = mkimage(tmp, f"img{i}", image_spec(i))
        imgs.append(path)
        summs.append(summ)
    base_digests = {s["images"][0]["layers"][0]["diff_id"] for s in summs}
    check(len(base_digests) == 1, f"the base layer differs between images: {base_digests}")
    ref = []
    for i, path in enumerate(imgs):
        code, rep, err = scan(path)
        check(code == 0 and rep is not None, f"--no-cache scan of image {i}: {code} {err}")
        if rep is None:
            return
        check(pkgs(rep) == expected(i), f"image {i} packages: {sorted(pkgs(rep))}")
        ref.append(comparable(rep))

    cache = os.path.join(tmp, "cache")
    for rnd in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        res = run_many([(p, cache) for p in imgs])
        for i, (code, rep, err) in enumerate(res):
            check(code == 0, f"round {rnd}: concurrent cold scan of image {i}: exit {code}: {err}")
            check(rep is not None and comparable(rep) == ref[i],
                  f"round {rnd}: image {i}: concurrent result differs from the --no-cache scan")
        ents, other = entries(cache)
        check(len(ents) == N_IMAGES + 1,
              f"round {rnd}: {len(ents)} cache entries for {N_IMAGES + 1} distinct layers")
        check(not other, f"round {rnd}: files left in the cache: {other}")

    res = run_many([(p, cache) for p in imgs])
    for i, (code, rep, err) in enumerate(res):
        check(code == 0 and rep is not None and comparable(rep) == ref[i],
              f"concurrent warm scan of image {i}: exit {code}: {err}")

    # Eight processes on one image, cold.
    same = os.path.join(tmp, "cache-same")
    res = run_many([(imgs[0], same)] * N_IMAGES)
    check(all(c == 0 for c, _, _ in res), f"same image x8: exits {[c for c, _, _ in res]}")
    check(all(r is not None and comparable(r) == ref[0] for _, r, _ in res),
          "same image x8: results differ")
    check(len(entries(same)[0]) == 2, f"same image x8: entries {entries(same)}")
    return imgs, summs, ref, cache


def test_corrupt(imgs, ref, cache):
    ents, _ = entries(cache)
    good = {e: open(e, "rb").read() for e in ents}

    def damage(how):
        for e, data in good.items():
            with open(e, "wb") as f:
                if how == "flip":
                    b = bytearray(data)
                    b[len(b) // 2] ^= 0x55
                    f.write(bytes(b))
                elif how == "truncate":
                    f.write(data[: len(data) // 3])
                else:
                    f.write(b"not a cache entry\n" * 5)

    for how in ("flip", "truncate", "garbage"):
        damage(how)
        code, rep, err = scan(imgs[0], cache)
        check(code == 0 and rep is not None and comparable(rep) == ref[0],
              f"{how}: scan over corrupt entries: exit {code}: {err}")
        # Image 0's two entries were rebuilt: valid again (same bytes: the format has no
        # timestamps); the other images' entries are still damaged until they are scanned.
        rebuilt = [e for e in good if open(e, "rb").read() == good[e]]
        check(len(rebuilt) == 2, f"{how}: {len(rebuilt)} entries rebuilt, want image 0's 2")
        res = run_many([(p, cache) for p in imgs])
        check(all(c == 0 and r is not None and comparable(r) == ref[i]
                  for i, (c, r, _) in enumerate(res)), f"{how}: rescans after damage differ")
        check(all(open(e, "rb").read() == good[e] for e in good),
              f"{how}: not every damaged entry was rewritten")


def test_warm_reads_no_layer_bytes(tmp):
    path, summ = mkimage(tmp, "gone", image_spec(3))
    cache = os.path.join(tmp, "cache-gone")
    code, cold, err = scan(path, cache)
    check(code == 0 and cold is not None, f"cold scan: {code} {err}")
    if cold is None:
        return
    check(pkgs(cold) == expected(3), f"cold scan packages: {sorted(pkgs(cold))}")
    for b in layer_blobs(path, summ):
        os.unlink(b)
    code, rep, err = scan(path)
    check(code != 0, "a --no-cache scan without the layer blobs succeeded: the test is vacuous")
    code, warm, err = scan(path, cache)
    check(code == 0 and warm is not None and comparable(warm) == comparable(cold),
          f"warm scan without layer blobs: exit {code}: {err}")


def test_lying_diff_id(tmp):
    real, rsumm = mkimage(tmp, "real", image_spec(0))
    base_diff = rsumm["images"][0]["layers"][0]["diff_id"]
    evil = [("evil-pkg", "6.6.6-1")]
    spec = {"format": "oci", "images": [{"tags": ["liar:1"], "layers": [{
        "compression": "gzip", "created_by": "ADD base /", "claim_diff_id": base_diff,
        "entries": [{"path": "etc/os-release", "content": OS_RELEASE},
                    {"path": "var/lib/dpkg/status", "content": status(evil)}]}]}]}
    liar, lsumm = mkimage(tmp, "liar", spec)
    check(lsumm["images"][0]["layers"][0]["diff_id"] == base_diff,
          "the lying image does not claim the base's diff_id: the test is vacuous")
    for order in ("real-first", "liar-first"):
        cache = os.path.join(tmp, f"cache-{order}")
        seq = [real, liar, real, liar] if order == "real-first" else [liar, real, liar, real]
        for path in seq:
            code, rep, err = scan(path, cache)
            want = expected(0) if path == real else set(evil)
            check(code == 0 and rep is not None and pkgs(rep) == want,
                  f"{order}: {os.path.basename(path)}: exit {code} {err} packages "
                  f"{sorted(pkgs(rep))[:3] if rep else None}")
            if path == liar and rep is not None:
                layers = rep["artifact"]["image"]["layers"]
                check(layers[0]["diff_id"] == base_diff, f"{order}: the report shows the "
                      f"config's diff_id: {layers[0]['diff_id']}")
        ents, _ = entries(cache)
        check(len(ents) == 3, f"{order}: {len(ents)} entries, want 3 (base, own, liar's blob)")


def test_stale_format_removed(tmp):
    """Entries of the old key scheme (layers/v1, keyed on the diff_id alone) are never read;
    the first write removes them, and the new entries land in layers/v2."""
    path, _ = mkimage(tmp, "stale", image_spec(5))
    cache = os.path.join(tmp, "cache-stale")
    old = os.path.join(cache, "layers", "v1", "ab")
    os.makedirs(old)
    with open(os.path.join(old, "ab" + "0" * 62 + ".bin"), "wb") as f:
        f.write(b"BSNLC1\n\0" + b"x" * 200)
    code, rep, err = scan(path, cache)
    check(code == 0 and rep is not None and pkgs(rep) == expected(5),
          f"scan over a stale cache: exit {code}: {err}")
    check(not os.path.exists(os.path.join(cache, "layers", "v1")),
          "the old-scheme directory layers/v1 was removed")
    ents, _ = entries(cache)
    check(len(ents) == 2 and all("/layers/v2/" in e for e in ents),
          f"two new entries under layers/v2: {ents}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        r = test_shared_base(tmp)
        if r:
            imgs, _, ref, cache = r
            test_corrupt(imgs, ref, cache)
        test_warm_reads_no_layer_bytes(tmp)
        test_lying_diff_id(tmp)
        test_stale_format_removed(tmp)
    print(f"{PASSES} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
