#!/usr/bin/env bash
# pypiserver as a real service for the interop suite.
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/RPC2
# Places three source distributions in DIR/packages (interop-demo 1.0 and
# 1.1, other-tool 0.3: real tar.gz files with a PKG-INFO, as `python -m
# build --sdist` makes them) and serves that folder in the foreground,
# with no upload password (-a . -P .) and no redirect to pypi.org for
# what it does not hold.
set -eu
port=$1 dir=$2
mkdir -p "$dir/packages"
python3 - "$dir/packages" <<'PY'
import io, sys, tarfile
for name, version in [("interop-demo", "1.0"), ("interop-demo", "1.1"), ("other-tool", "0.3")]:
    base = f"{name.replace('-', '_')}-{version}"
    with tarfile.open(f"{sys.argv[1]}/{base}.tar.gz", "w:gz") as archive:
        data = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {name} for the interop suite\n".encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
PY
exec pypi-server run -i 127.0.0.1 -p "$port" -a . -P . --disable-fallback "$dir/packages"
