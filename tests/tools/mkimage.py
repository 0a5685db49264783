#!/usr/bin/env python3
r"""mkimage.py: build small container images for bosun's tests (python3 stdlib + the zstd CLI).

Output formats (--format or "format" in the spec):
  docker-archive      `docker save` legacy layout: <id>/layer.tar (uncompressed; a layer's
                      "compression" is ignored), <hex>.json config, manifest.json, repositories;
                      a layer shared by two images is stored once and linked (symlink) like
                      docker does
  docker-archive-oci  Docker 25+ layout: manifest.json + index.json + oci-layout + blobs/sha256/
  oci-archive         a tar of an OCI image layout
  oci                 an OCI image layout directory (-o names the directory)

Usage:
  mkimage.py -o OUT --spec SPEC.json            (or --spec - to read the spec from stdin)
  mkimage.py -o OUT [--format F] [--compression none|gzip|zstd] [--tag app:1]
             --layer 'ITEM;ITEM;…' [--layer …]
    ITEM: path=text      a file (text may use \n escapes)      path=@HOSTFILE   a host file's bytes
          path/          a directory                           path->target     a symlink
          path=>target   a hardlink to an earlier entry        -path            a whiteout
          !dir           an opaque marker (dir/.wh..wh..opq)
    (a --layer value starting with '-' needs the --layer=VALUE form: --layer='-etc/gone')
  Example: mkimage.py -o app.tar --format oci-archive --compression zstd --tag app:1 \
             --layer 'etc/os-release=ID=alpine\nVERSION_ID=3.19.1\n;bin/;bin/sh=@/bin/sh' \
             --layer='-etc/os-release;!var/cache'

Prints a JSON summary on stdout (digests computed here, independently of bosun):
  {"format": F, "images": [{"ref", "tags", "platform", "config_digest", "manifest_digest",
   "layers": [{"digest", "diff_id", "size", "media_type", "created_by"}]}],
   "index_digests": {ref: digest of a nested image index}}

Spec (JSON):
  {
    "format": "oci",
    "images": [IMAGE, ...],        # or one IMAGE's keys at the top level
    "tamper": {"image": 0, "layer": 0, "offset": null},   # flip one byte of a layer blob after
                                   # its digest was recorded (offset default: the middle)
    "truncate": N                  # cut the output archive to N bytes (N < 0: drop -N bytes);
                                   # for "oci" the largest layer blob file is cut instead
  }
  IMAGE = {
    "tags": ["app:1"],             # docker RepoTags; OCI: ref.name annotation = "ref" or tags[0]
    "ref": "v1",                   # OCI index.json ref.name (default: tags[0])
    "platform": "linux/arm64/v8",  # config os/architecture/variant and the index platform
    "platforms": [IMAGE, ...],     # OCI only: a nested image index of these platform images
    "config": {"Env": [...], "User": "app", "Cmd": [...], "Entrypoint": [...],
               "Healthcheck": {...}, "Labels": {...}, "ExposedPorts": {...}, "WorkingDir": ""},
    "history_extra": [{"created_by": "ENV A=1", "empty_layer": true, "before": 0}],
    "layers": [LAYER, ...]
  }
  LAYER = {
    "compression": "none" | "gzip" | "gzip-multi" | "zstd",  # gzip-multi: two gzip members
    "media_type": "...",           # override (e.g. application/vnd.docker.image.rootfs.diff.tar.gzip)
    "created_by": "RUN apk add x",
    "claim_diff_id": "sha256:...", # the config names this diff_id instead of the tar's own (a
                                   # lying image; the summary reports the claim)
    "entries": [
      {"path": "etc/os-release", "content": "ID=alpine\n", "mode": 420},
      {"path": "bin/tool", "file": "/host/path"},
      {"path": "big", "size": 1048576, "byte": "a"},      # size bytes of one repeated byte
      {"path": "var/lib", "type": "dir"},
      {"path": "lib/l.so", "type": "symlink", "target": "l.so.1"},
      {"path": "usr/bin/b", "type": "hardlink", "target": "bin/tool"},
      {"path": "etc/gone", "type": "whiteout"},           # etc/.wh.gone
      {"path": "var/cache", "type": "opaque"}             # var/cache/.wh..wh..opq
    ]
  }
Paths are written exactly as given ("./x", "../../etc/passwd" included), entries in order, with
fixed mtimes and owners, so the same spec always yields the same bytes.
"""

import argparse
import copy
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MTIME = 1700000000
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_MT = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "gzip-multi": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def canon(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def tarinfo(name, typ=tarfile.REGTYPE, size=0, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type = typ
    ti.size = size
    ti.mode = mode
    ti.mtime = MTIME
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    return ti


def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            path, typ = e["path"], e.get("type", "file")
            mode = e.get("mode")
            if typ == "file":
                if "file" in e:
                    with open(e["file"], "rb") as f:
                        data = f.read()
                elif "size" in e:
                    data = e.get("byte", "a").encode()[:1] * int(e["size"])
                else:
                    data = e.get("content", "").encode()
                tf.addfile(tarinfo(path, size=len(data), mode=mode or 0o644), io.BytesIO(data))
            elif typ == "dir":
                tf.addfile(tarinfo(path, tarfile.DIRTYPE, mode=mode or 0o755))
            elif typ == "symlink":
                ti = tarinfo(path, tarfile.SYMTYPE, mode=0o777)
                ti.linkname = e["target"]
                tf.addfile(ti)
            elif typ == "hardlink":
                ti = tarinfo(path, tarfile.LNKTYPE, mode=mode or 0o644)
                ti.linkname = e["target"]
                tf.addfile(ti)
            elif typ == "whiteout":
                d, _, base = path.rstrip("/").rpartition("/")
                tf.addfile(tarinfo((d + "/" if d else "") + ".wh." + base))
            elif typ == "opaque":
                tf.addfile(tarinfo(path.rstrip("/") + "/.wh..wh..opq"))
            else:
                raise SystemExit("mkimage: unknown entry type %r" % typ)
    return buf.getvalue()


def compress(data, how):
    if how in (None, "none"):
        return data
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "gzip-multi":
        half = len(data) // 2
        return gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, check=True,
                              stdout=subprocess.PIPE).stdout
    raise SystemExit("mkimage: unknown compression %r" % how)


def split_platform(p):
    parts = (p or "linux/amd64").split("/")
    return parts[0], parts[1] if len(parts) > 1 else "amd64", parts[2] if len(parts) > 2 else None


class Image:
    """One image: its layer blobs, config and manifest, built once."""

    def __init__(self, spec, fmt):
        self.spec = spec
        self.layers = []  # dicts: tar, blob, digest, diff_id, size, media_type, created_by
        legacy = fmt == "docker-archive"
        for l in spec.get("layers", []):
            tar = layer_tar(l.get("entries", []))
            how = "none" if legacy else l.get("compression", "none")
            blob = compress(tar, how)
            self.layers.append({
                "tar": tar, "blob": blob, "digest": sha(blob),
                "diff_id": l.get("claim_diff_id") or sha(tar),
                "size": len(blob), "created_by": l.get("created_by"),
                "media_type": l.get("media_type") or LAYER_MT[how],
            })
        os_, arch, variant = split_platform(spec.get("platform"))
        history = []
        extra = spec.get("history_extra", [])
        for i, l in enumerate(self.layers):
            for h in extra:
                if h.get("before", -1) == i:
                    history.append({k: v for k, v in h.items() if k != "before"})
            history.append({"created": "2023-11-14T22:13:20Z",
                            "created_by": l["created_by"] or ""})
        for h in extra:
            if h.get("before", -1) not in range(len(self.layers)):
                history.append({k: v for k, v in h.items() if k != "before"})
        cfg = {"architecture": arch, "os": os_, "created": "2023-11-14T22:13:20Z",
               "config": spec.get("config", {}),
               "rootfs": {"type": "layers", "diff_ids": [l["diff_id"] for l in self.layers]},
               "history": history}
        if variant:
            cfg["variant"] = variant
        self.config = canon(cfg)
        self.config_digest = sha(self.config)
        man = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
               "config": {"mediaType": MT_OCI_CONFIG, "digest": self.config_digest,
                          "size": len(self.config)},
               "layers": [{"mediaType": l["media_type"], "digest": l["digest"], "size": l["size"]}
                          for l in self.layers]}
        self.manifest = canon(man)
        self.manifest_digest = sha(self.manifest)
        self.tags = spec.get("tags", [])
        self.ref = spec.get("ref", self.tags[0] if self.tags else None)
        self.platform = (os_, arch, variant)

    def descriptor(self, with_platform=False):
        d = {"mediaType": MT_OCI_MANIFEST, "digest": self.manifest_digest,
             "size": len(self.manifest)}
        if with_platform:
            p = {"os": self.platform[0], "architecture": self.platform[1]}
            if self.platform[2]:
                p["variant"] = self.platform[2]
            d["platform"] = p
        return d

    def summary(self, ref=None):
        os_, arch, variant = self.platform
        return {"ref": ref or self.ref, "tags": self.tags, "config_digest": self.config_digest,
                "manifest_digest": self.manifest_digest,
                "platform": "/".join(x for x in (os_, arch, variant) if x),
                "layers": [{k: l[k] for k in ("digest", "diff_id", "size", "media_type",
                                                "created_by")} for l in self.layers]}


def tamper_blob(blob, offset):
    b = bytearray(blob)
    i = len(b) // 2 if offset is None else offset
    b[i] ^= 0xFF
    return bytes(b)


class Out:
    """A set of files (name -> bytes or symlink) written as a tar or a directory."""

    def __init__(self):
        self.files = {}
        self.order = []

    def add(self, name, data):
        if name not in self.files:
            self.order.append(name)
        self.files[name] = data

    def link(self, name, target):
        self.add(name, ("symlink", target))

    def write_tar(self, path):
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
            dirs = set()
            for name in self.order:
                d = name.rpartition("/")[0]
                parts = d.split("/") if d else []
                for k in range(1, len(parts) + 1):
                    dd = "/".join(parts[:k])
                    if dd not in dirs:
                        dirs.add(dd)
                        tf.addfile(tarinfo(dd, tarfile.DIRTYPE, mode=0o755))
                data = self.files[name]
                if isinstance(data, tuple):
                    ti = tarinfo(name, tarfile.SYMTYPE, mode=0o777)
                    ti.linkname = data[1]
                    tf.addfile(ti)
                else:
                    tf.addfile(tarinfo(name, size=len(data)), io.BytesIO(data))

    def write_dir(self, path):
        for name in self.order:
            p = os.path.join(path, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            data = self.files[name]
            if isinstance(data, tuple):
                os.symlink(data[1], p)
            else:
                with open(p, "wb") as f:
                    f.write(data)


def build(spec):
    fmt = spec.get("format", "docker-archive")
    if "images" in spec:
        image_specs = spec["images"]
    else:
        image_specs = [{k: v for k, v in spec.items()
                        if k not in ("format", "tamper", "truncate")}]
    tamper = spec.get("tamper")
    out = Out()
    summary = {"format": fmt, "images": [], "index_digests": {}}
    blobs = {}

    def blob(data):
        d = sha(data)
        blobs[d] = data
        return d

    # Flatten platform indexes into their images, remembering the grouping.
    entries = []  # (ref, [Image], is_index)
    for s in image_specs:
        if "platforms" in s:
            imgs = [Image(dict(p, tags=p.get("tags", s.get("tags", []))), fmt)
                    for p in s["platforms"]]
            entries.append((s.get("ref", (s.get("tags") or [None])[0]), imgs, True))
        else:
            img = Image(s, fmt)
            entries.append((img.ref, [img], False))
    all_images = [i for _, imgs, _ in entries for i in imgs]

    layer_files = []  # (image index, layer index, output name) for tampering/truncation
    if fmt == "docker-archive":
        manifest, repos, written = [], {}, {}
        for ii, img in enumerate(all_images):
            parent = ""
            names = []
            for li, l in enumerate(img.layers):
                lid = hashlib.sha256((parent + l["diff_id"]).encode()).hexdigest()
                parent = lid
                name = lid + "/layer.tar"
                data = l["blob"]
                if tamper and tamper.get("image", 0) == ii and tamper.get("layer", 0) == li:
                    data = tamper_blob(data, tamper.get("offset"))
                if l["diff_id"] in written and written[l["diff_id"]] != name:
                    out.link(name, "../" + written[l["diff_id"]])
                else:
                    out.add(name, data)
                    written[l["diff_id"]] = name
                out.add(lid + "/VERSION", b"1.0")
                out.add(lid + "/json", canon({"id": lid}))
                names.append(name)
                layer_files.append((ii, li, name))
            out.add(img.config_digest[7:] + ".json", img.config)
            manifest.append({"Config": img.config_digest[7:] + ".json",
                             "RepoTags": img.tags or None, "Layers": names})
            for t in img.tags:
                repo, _, tag = t.rpartition(":")
                repos.setdefault(repo, {})[tag] = parent
            summary["images"].append(img.summary())
        out.add("manifest.json", json.dumps(manifest).encode())
        out.add("repositories", json.dumps(repos).encode())
    else:
        index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": []}
        for ref, imgs, is_index in entries:
            for img in imgs:
                blob(img.config)
                blob(img.manifest)
                for l in img.layers:
                    blob(l["blob"])
                summary["images"].append(img.summary(ref))
            if is_index:
                nested = canon({"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                                "manifests": [i.descriptor(True) for i in imgs]})
                d = {"mediaType": MT_OCI_INDEX, "digest": blob(nested), "size": len(nested)}
                summary["index_digests"][ref or ""] = d["digest"]
            else:
                d = imgs[0].descriptor(imgs[0].spec.get("platform") is not None)
            if ref:
                d["annotations"] = {"org.opencontainers.image.ref.name": ref}
                if fmt == "docker-archive-oci":
                    d["annotations"]["io.containerd.image.name"] = ref
            index["manifests"].append(d)
        if tamper:
            l = all_images[tamper.get("image", 0)].layers[tamper.get("layer", 0)]
            blobs[l["digest"]] = tamper_blob(l["blob"], tamper.get("offset"))
        out.add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        out.add("index.json", canon(index))
        for d, data in blobs.items():
            out.add("blobs/sha256/" + d[7:], data)
        for ii, img in enumerate(all_images):
            for li, l in enumerate(img.layers):
                layer_files.append((ii, li, "blobs/sha256/" + l["digest"][7:]))
        if fmt == "docker-archive-oci":
            out.add("manifest.json", json.dumps([
                {"Config": "blobs/sha256/" + i.config_digest[7:], "RepoTags": i.tags or None,
                 "Layers": ["blobs/sha256/" + l["digest"][7:] for l in i.layers]}
                for i in all_images]).encode())
    return fmt, out, summary, layer_files


def parse_items(text):
    entries = []
    for item in filter(None, (t.strip() for t in text.split(";"))):
        if item.startswith("-"):
            entries.append({"path": item[1:], "type": "whiteout"})
        elif item.startswith("!"):
            entries.append({"path": item[1:], "type": "opaque"})
        elif "=>" in item:
            p, t = item.split("=>", 1)
            entries.append({"path": p, "type": "hardlink", "target": t})
        elif "->" in item:
            p, t = item.split("->", 1)
            entries.append({"path": p, "type": "symlink", "target": t})
        elif "=" in item:
            p, c = item.split("=", 1)
            if c.startswith("@"):
                entries.append({"path": p, "file": c[1:]})
            else:
                entries.append({"path": p,
                                "content": c.encode().decode("unicode_escape")})
        elif item.endswith("/"):
            entries.append({"path": item.rstrip("/"), "type": "dir"})
        else:
            entries.append({"path": item, "content": ""})
    return entries


def main():
    ap = argparse.ArgumentParser(description="build small container images for tests",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--spec")
    ap.add_argument("--format")
    ap.add_argument("--compression", default="none")
    ap.add_argument("--tag", action="append", default=[])
    ap.add_argument("--layer", action="append", default=[])
    a = ap.parse_args()
    if a.spec:
        spec = json.load(sys.stdin if a.spec == "-" else open(a.spec))
    else:
        spec = {"tags": a.tag, "layers": [{"compression": a.compression,
                                           "entries": parse_items(t)} for t in a.layer]}
    spec = copy.deepcopy(spec)
    if a.format:
        spec["format"] = a.format
    fmt, out, summary, layer_files = build(spec)
    if fmt == "oci":
        os.makedirs(a.output, exist_ok=True)
        out.write_dir(a.output)
        if "truncate" in spec and layer_files:
            biggest = max((os.path.join(a.output, n) for _, _, n in layer_files),
                          key=os.path.getsize)
            cut(biggest, spec["truncate"])
    elif fmt in ("docker-archive", "docker-archive-oci", "oci-archive"):
        out.write_tar(a.output)
        if "truncate" in spec:
            cut(a.output, spec["truncate"])
    else:
        raise SystemExit("mkimage: unknown format %r" % fmt)
    json.dump(summary, sys.stdout, indent=1)
    sys.stdout.write("\n")


def cut(path, n):
    size = os.path.getsize(path)
    os.truncate(path, n if n >= 0 else max(0, size + n))


if __name__ == "__main__":
    main()
