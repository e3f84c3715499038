#!/usr/bin/env python3
"""oci-layout.py - OCI image layouts and tar layers, made by hand for the tests.

  oci-layout.py tar OUT.tar ENTRY...
      A tar (PAX) of ENTRY, in order, written as given: nothing is
      normalised, so a hostile name ("../x", "/abs", ".") stays as it is
      (but for tarfile's "/" at the end of a directory's name).
      f:NAME[=CONTENT]  a file (0644)    d:NAME         a directory (0755)
      s:NAME=TARGET     a symlink        h:NAME=TARGET  a hardlink
      p:NAME            a FIFO

  oci-layout.py layout DIR TAG [OPTIONS] KIND:TAR...
      Add an image tagged TAG to the layout DIR (made if need be): one layer
      per KIND:TAR, KIND tar, gzip or zstd, TAR a tar file or a directory
      (tarred here). Digests, sizes and diff_ids are computed for real;
      the manifest's digest is printed. OPTIONS:
        --env K=V (again for more), --entrypoint JSON, --cmd JSON,
        --workdir DIR, --user U, --port 80/tcp (again for more),
        --platform OS/ARCH (linux/amd64 by default),
        --docker    Docker's media types instead of OCI's;
        --fault KIND:WHAT[=VALUE], WHAT being manifest, config or a layer's
        index (0 is the first), to make a bad image on purpose:
          digest:WHAT         a byte of the blob changed after it was named
                              (a gzip layer: its header's mtime, so it
                              still decompresses to the same tar)
          size:WHAT=DELTA     the descriptor's size off by DELTA
          diff-id:N           the config's diff_id of layer N wrong
          truncate:WHAT       the blob cut to half its length
          missing:WHAT        the blob not there
          name:WHAT=STRING    the descriptor's digest is STRING, verbatim

  oci-layout.py list ROOT [--mtime]
      One line per path under ROOT (ROOT itself is "."), sorted: path, type,
      mode, uid:gid, size, link target or device, sha256 of the content (16 hex),
      xattrs, the hardlink group (the first path of those sharing the
      inode) and, with --mtime, the mtime (directories too). Two trees
      are the same if their listings are.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tarfile

OCI = {"manifest": "application/vnd.oci.image.manifest.v1+json",
       "config": "application/vnd.oci.image.config.v1+json",
       "tar": "application/vnd.oci.image.layer.v1.tar",
       "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
       "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}
DOCKER = {"manifest": "application/vnd.docker.distribution.manifest.v2+json",
          "config": "application/vnd.docker.container.image.v1+json",
          "tar": "application/vnd.docker.image.rootfs.diff.tar",
          "gzip": "application/vnd.docker.image.rootfs.diff.tar.gzip",
          "zstd": "application/vnd.docker.image.rootfs.diff.tar.zstd"}
TYPES = {"f": tarfile.REGTYPE, "d": tarfile.DIRTYPE, "s": tarfile.SYMTYPE,
         "h": tarfile.LNKTYPE, "p": tarfile.FIFOTYPE}


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def make_tar(out, entries):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            kind, _, rest = entry.partition(":")
            name, _, value = rest.partition("=")
            info = tarfile.TarInfo(name)
            info.type = TYPES[kind]
            info.mode = 0o755 if kind == "d" else 0o644
            info.mtime = 1000000000
            data = None
            if kind == "f":
                data = value.encode()
                info.size = len(data)
            elif kind in "sh":
                info.linkname = value
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


def tar_bytes(path):
    """The bytes of a tar file, or of a directory tarred (sorted)."""
    if not os.path.isdir(path):
        with open(path, "rb") as f:
            return f.read()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for top, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(dirs + files):
                full = os.path.join(top, name)
                tar.add(full, os.path.relpath(full, path), recursive=False)
    return buffer.getvalue()


def compress(kind, data):
    if kind == "gzip":
        return gzip.compress(data, mtime=0)
    if kind == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, check=True,
                              stdout=subprocess.PIPE).stdout
    return data


class Layout:
    def __init__(self, directory, faults):
        self.dir = directory
        self.faults = faults  # {(kind, what): value}
        os.makedirs(os.path.join(directory, "blobs", "sha256"), exist_ok=True)

    def fault(self, kind, what):
        return self.faults.get((kind, what))

    def put(self, what, data, media_type):
        """Store a blob; return its descriptor, with the faults asked for."""
        digest = sha256(data)
        stored = data
        if self.fault("digest", what) is not None:
            stored = bytearray(data)
            if stored[:2] == b"\x1f\x8b":
                stored[4] ^= 1  # gzip's MTIME: the tar inside is the same
            else:  # JSON: the first lowercase letter made uppercase
                i = next(i for i, c in enumerate(stored) if 97 <= c <= 122)
                stored[i] -= 32
        if self.fault("truncate", what) is not None:
            stored = stored[: len(stored) // 2]
        path = os.path.join(self.dir, "blobs", "sha256", digest[7:])
        if self.fault("missing", what) is None:
            with open(path, "wb") as f:
                f.write(stored)
        size = len(data) + int(self.fault("size", what) or 0)
        name = self.fault("name", what)
        return {"mediaType": media_type,
                "digest": digest if name is None else name, "size": size}


def make_layout(args):
    faults = {}
    for fault in args.fault:
        kind, _, rest = fault.partition(":")
        what, _, value = rest.partition("=")
        faults[(kind, what)] = value
    types = DOCKER if args.docker else OCI
    layout = Layout(args.dir, faults)
    layers, diff_ids = [], []
    for i, spec in enumerate(args.layers):
        kind, _, path = spec.partition(":")
        tar = tar_bytes(path)
        diff_ids.append(sha256(b"wrong" if ("diff-id", str(i)) in faults else tar))
        layers.append(layout.put(str(i), compress(kind, tar), types[kind]))
    os_name, _, architecture = args.platform.partition("/")
    config = {"architecture": architecture, "os": os_name,
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}}
    fields = {"Env": args.env or None, "WorkingDir": args.workdir,
              "User": args.user,
              "Entrypoint": args.entrypoint and json.loads(args.entrypoint),
              "Cmd": args.cmd and json.loads(args.cmd),
              "ExposedPorts": {p: {} for p in args.port} if args.port else None}
    config["config"] = {k: v for k, v in fields.items() if v is not None}
    manifest = {"schemaVersion": 2, "mediaType": types["manifest"],
                "config": layout.put("config", json.dumps(config).encode(),
                                     types["config"]),
                "layers": layers}
    descriptor = layout.put("manifest", json.dumps(manifest).encode(),
                            types["manifest"])
    descriptor["annotations"] = {"org.opencontainers.image.ref.name": args.tag}
    index_path = os.path.join(args.dir, "index.json")
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    index["manifests"].append(descriptor)
    with open(index_path, "w") as f:
        json.dump(index, f)
    with open(os.path.join(args.dir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(descriptor["digest"])


def describe(root, path, st, groups, mtime):
    mode = st.st_mode
    kind = stat.filemode(mode)[0].replace("-", "f")  # d l f p c b s
    target, content = "-", "-"
    if kind == "l":
        target = os.readlink(path)
    elif kind in "cb":
        target = f"{os.major(st.st_rdev)},{os.minor(st.st_rdev)}"
    elif kind == "f":
        with open(path, "rb") as f:
            content = hashlib.sha256(f.read()).hexdigest()[:16]
    xattrs = ",".join(f"{n}={os.getxattr(path, n, follow_symlinks=False)!r}"
                      for n in sorted(os.listxattr(path, follow_symlinks=False)))
    group = groups.get((st.st_dev, st.st_ino), "-") if st.st_nlink > 1 and kind != "d" else "-"
    fields = [os.path.relpath(path, root), kind, f"{stat.S_IMODE(mode):04o}",
              f"{st.st_uid}:{st.st_gid}", str(st.st_size if kind == "f" else 0),
              target, content, xattrs or "-", group]
    if mtime:
        fields.append(str(st.st_mtime_ns))
    return " ".join(fields)


def list_tree(args):
    paths = [args.root]
    for top, dirs, files in os.walk(args.root):
        paths += [os.path.join(top, n) for n in dirs + files]
    paths.sort()
    groups = {}  # inode: the first path (sorted) that has it
    for path in paths:
        st = os.lstat(path)
        groups.setdefault((st.st_dev, st.st_ino), os.path.relpath(path, args.root))
    for path in paths:
        print(describe(args.root, path, os.lstat(path), groups, args.mtime))


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    parser = argparse.ArgumentParser(prog=f"oci-layout.py {command}")
    if command == "tar":
        parser.add_argument("out")
        parser.add_argument("entries", nargs="+")
        make_tar(**vars(parser.parse_args(sys.argv[2:])))
    elif command == "layout":
        parser.add_argument("dir")
        parser.add_argument("tag")
        parser.add_argument("layers", nargs="*")
        for option in ("--env", "--port", "--fault"):
            parser.add_argument(option, action="append", default=[])
        for option in ("--entrypoint", "--cmd", "--workdir", "--user"):
            parser.add_argument(option)
        parser.add_argument("--platform", default="linux/amd64")
        parser.add_argument("--docker", action="store_true")
        make_layout(parser.parse_intermixed_args(sys.argv[2:]))
    elif command == "list":
        parser.add_argument("root")
        parser.add_argument("--mtime", action="store_true")
        list_tree(parser.parse_args(sys.argv[2:]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
