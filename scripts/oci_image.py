#!/usr/bin/python3
"""Writes the imps container image as an OCI image layout archive, without a container engine or
a registry: the single layer is the file tree scripts/image_rootfs.sh assembled.

    scripts/oci_image.py <rootfs dir> <output .tar> --arch amd64|arm64 --name REPO --version V
                         --source URL --licenses SPDX

The archive (`oci-archive:` to skopeo and podman, `ctr images import` to containerd) holds
oci-layout, index.json and blobs/sha256/: one manifest for linux/<arch>, its config (User
65532:65532, Entrypoint ["/imps"], the org.opencontainers.image.* labels) and the layer, an
uncompressed tar. Reproducible: the same tree and arguments give the same bytes, hence the same
digests — entries sorted, owner 0:0, mtimes SOURCE_DATE_EPOCH (default 0), no compression (a
gzip stream would depend on the zlib version). Directories, regular files and symlinks only.
"""

import argparse
import hashlib
import io
import json
import os
import stat
import sys
import tarfile

NONROOT = "65532:65532"  # the "nonroot" user of distroless images; the Deployment's runAsUser
ENTRYPOINT = ["/imps"]
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar"
ARCHITECTURES = ("amd64", "arm64")


class ImageError(Exception):
    pass


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def fixed_info(name, mtime):
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def tree_entries(root):
    """Every path below root, relative, sorted so that a directory precedes what it holds."""
    paths = []
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            paths.append(os.path.relpath(os.path.join(directory, name), root))
    return sorted(paths, key=lambda p: p.split(os.sep))


def layer_tar(root, mtime):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in tree_entries(root):
            full = os.path.join(root, path)
            st = os.lstat(full)
            info = fixed_info(path, mtime)
            info.mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif stat.S_ISLNK(st.st_mode):
                info.type = tarfile.SYMTYPE
                info.linkname = os.readlink(full)
                tar.addfile(info)
            elif stat.S_ISREG(st.st_mode):
                info.size = st.st_size
                with open(full, "rb") as f:
                    tar.addfile(info, f)
            else:
                raise ImageError(f"{full}: not a directory, regular file or symlink")
    return out.getvalue()


def image_blobs(args, mtime):
    """The layer, config and manifest blobs, and the index that names the manifest."""
    layer = layer_tar(args.rootfs, mtime)
    labels = {
        "org.opencontainers.image.title": "imps",
        "org.opencontainers.image.version": args.version,
        "org.opencontainers.image.source": args.source,
        "org.opencontainers.image.licenses": args.licenses,
    }
    config = canonical_json({
        "architecture": args.arch,
        "os": "linux",
        "config": {"User": NONROOT, "Entrypoint": ENTRYPOINT, "Labels": labels},
        "rootfs": {"type": "layers", "diff_ids": [digest(layer)]},
    })
    manifest = canonical_json({
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": MEDIA_LAYER, "digest": digest(layer), "size": len(layer)}],
        "annotations": labels,
    })
    index = canonical_json({
        "schemaVersion": 2,
        "mediaType": MEDIA_INDEX,
        "manifests": [{
            "mediaType": MEDIA_MANIFEST, "digest": digest(manifest), "size": len(manifest),
            "platform": {"architecture": args.arch, "os": "linux"},
            # The tag for skopeo and podman (OCI), the full name for containerd's import.
            "annotations": {"org.opencontainers.image.ref.name": args.version,
                            "io.containerd.image.name": f"{args.name}:{args.version}"},
        }],
    })
    return [layer, config, manifest], index


def write_archive(path, blobs, index, mtime):
    files = {"oci-layout": canonical_json({"imageLayoutVersion": "1.0.0"}), "index.json": index}
    for blob in blobs:
        files["blobs/sha256/" + digest(blob).split(":", 1)[1]] = blob
    temporary = path + ".partial"
    with tarfile.open(temporary, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for directory in ("blobs", "blobs/sha256"):
            info = fixed_info(directory, mtime)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name in sorted(files):
            info = fixed_info(name, mtime)
            info.mode, info.size = 0o644, len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rootfs")
    parser.add_argument("output")
    parser.add_argument("--arch", required=True, choices=ARCHITECTURES)
    parser.add_argument("--name", required=True, help="repository, e.g. ghcr.io/imps-project/imps")
    parser.add_argument("--version", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--licenses", required=True, help="SPDX expression")
    args = parser.parse_args()
    try:
        mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        print("oci_image: SOURCE_DATE_EPOCH is not a number of seconds", file=sys.stderr)
        return 2
    if not os.path.isfile(os.path.join(args.rootfs, ENTRYPOINT[0].lstrip("/"))):
        print(f"oci_image: {args.rootfs} has no {ENTRYPOINT[0]}: run scripts/image_rootfs.sh first",
              file=sys.stderr)
        return 1
    try:
        blobs, index = image_blobs(args, mtime)
        write_archive(args.output, blobs, index, mtime)
    except (ImageError, OSError) as error:
        print(f"oci_image: {error}", file=sys.stderr)
        return 1
    print(f"{args.output}: linux/{args.arch} manifest {digest(blobs[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
